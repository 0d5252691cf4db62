package io.github.shredcache.demo.node;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.SessionStore;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's housekeeping, logging one line per state change: reports the key window's moves at
 * epoch boundaries ("key epoch rotated"; the ratchet moves itself), and probes the shared store with
 * a {@code get} of a fixed key every {@link #PROBE_INTERVAL} ("memcached unreachable" after {@link
 * #FAILURES_BEFORE_DOWN} failed probes in a row, "memcached reachable again").
 */
final class NodeWatch {
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(2);
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(NodeWatch.class);

  /** Consecutive failed probes before the store counts as down (one slow answer is not an outage). */
  static final int FAILURES_BEFORE_DOWN = 2;

  /** 1 up, 0 down, -1 no shared store; the {@code shredcache_store_up} gauge reads it. */
  private final AtomicInteger storeUp = new AtomicInteger(-1);
  private final AtomicInteger failedProbes = new AtomicInteger();
  private volatile long epoch;

  int storeUp() {
    return storeUp.get();
  }

  /** Logs each move of {@code ratchet}'s window, which the ratchet makes by itself. */
  void watchEpochs(KeyRatchet ratchet) {
    epoch = ratchet.currentEpoch();
    ratchet.addEpochListener(now -> {
      log.info("key epoch rotated: {} -> {}; states before epoch {} erased (their entries are shredded)",
          epoch, now, now - ratchet.epochsBehind());
      epoch = now;
    });
  }

  /** Starts probing {@code store} under {@code probeKey}; logs when it goes down or comes back. */
  void watchStore(SessionStore store, String probeKey, String description, ScheduledExecutorService scheduler) {
    storeUp.set(1);
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        store.get(probeKey)
            .orTimeout(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete((value, error) -> observe(error, description));
      } catch (RuntimeException e) {
        observe(e, description);
      }
    }, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void observe(Throwable error, String description) {
    if (error == null) {
      failedProbes.set(0);
      if (storeUp.getAndSet(1) == 0) {
        log.info("memcached reachable again ({}): sessions resume across nodes again", description);
      }
    } else if (failedProbes.incrementAndGet() >= FAILURES_BEFORE_DOWN && storeUp.getAndSet(0) == 1) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      log.warn("memcached unreachable ({}: {}): handshakes fall back to full ones until it is back",
          description, cause.getClass().getSimpleName());
    }
  }
}
