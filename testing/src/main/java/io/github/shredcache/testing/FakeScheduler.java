package io.github.shredcache.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ScheduledExecutorService} driven by a {@link FakeClock}: tasks run on the thread that
 * calls {@link #advance} or {@link #runDue}, in due order, when the fake time reaches them. Nothing
 * runs by itself. Thread-safe.
 *
 * <pre>{@code
 * FakeClock clock = new FakeClock();
 * FakeScheduler scheduler = new FakeScheduler(clock);
 * KeyRatchet ratchet = KeyRatchet.fromToken(token, lifetime, clock, scheduler);
 * scheduler.advance(Duration.ofHours(2)); // moves the clock, runs the boundary ticks
 * }</pre>
 */
public final class FakeScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final FakeClock clock;
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private long sequence;
  private boolean shutdown;

  public FakeScheduler(FakeClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Moves the clock by {@code duration} in steps to each due task, running them in order. */
  public void advance(Duration duration) {
    Instant end = clock.instant().plus(duration);
    while (true) {
      Task<?> next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due.isAfter(end)) {
          break;
        }
        queue.poll();
      }
      if (next.due.isAfter(clock.instant())) {
        clock.set(next.due);
      }
      next.run();
    }
    if (end.isAfter(clock.instant())) {
      clock.set(end);
    }
  }

  /** Runs every task due at the clock's current time (including ones they schedule for now). */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /** Returns the number of tasks waiting. */
  public synchronized int pending() {
    return queue.size();
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(new Task<>(command, null, delay, unit));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task<>(null, callable, delay, unit));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period,
      TimeUnit unit) {
    throw new UnsupportedOperationException("FakeScheduler runs one-shot tasks only");
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
      TimeUnit unit) {
    throw new UnsupportedOperationException("FakeScheduler runs one-shot tasks only");
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new ArrayList<>(queue);
    queue.clear();
    return left;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private synchronized <V> Task<V> enqueue(Task<V> task) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("FakeScheduler is shut down");
    }
    queue.add(task);
    return task;
  }

  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    final Instant due;
    final long seq;

    Task(@Nullable Runnable runnable, @Nullable Callable<V> callable, long delay, TimeUnit unit) {
      super(callable != null ? callable : java.util.concurrent.Executors.callable(runnable, null));
      this.due = clock.instant().plusNanos(Math.max(0, unit.toNanos(delay)));
      synchronized (FakeScheduler.this) {
        this.seq = sequence++;
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (FakeScheduler.this) {
        queue.remove(this);
      }
      return super.cancel(mayInterruptIfRunning);
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(Duration.between(clock.instant(), due).toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      Task<?> o = (Task<?>) other;
      int c = due.compareTo(o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
