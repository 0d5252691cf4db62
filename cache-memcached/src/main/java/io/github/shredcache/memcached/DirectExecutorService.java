package io.github.shredcache.memcached;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs every task at once on the submitting thread. Given to spymemcached as its listener
 * executor, so that completion listeners run on its I/O thread instead of costing a thread hop per
 * operation. Never refuses a task, not even after shutdown: a listener that spymemcached notifies
 * while the client is closing still completes its future.
 */
final class DirectExecutorService extends AbstractExecutorService {
  private volatile boolean shutdown;

  @Override
  public void execute(Runnable command) {
    command.run();
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }
}
