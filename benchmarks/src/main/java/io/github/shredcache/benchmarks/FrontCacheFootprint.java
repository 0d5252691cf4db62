package io.github.shredcache.benchmarks;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.core.SessionState;
import io.github.shredcache.core.SessionStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Heap per front-cache entry: fills a {@link SessionCache} with N sessions of a 160-byte state (the
 * size of a TLS 1.2 session the {@code bc} engine caches) and reports the live heap after a full
 * GC, before and after, divided by N. The store drops every write, so only the front cache (the
 * Caffeine entry, its key, the session state and the expiry bookkeeping) is measured.
 *
 * <pre>
 * java -Xmx4g -cp benchmarks/target/shredcache-benchmarks.jar \
 *     io.github.shredcache.benchmarks.FrontCacheFootprint 10000 1000000
 * </pre>
 */
public final class FrontCacheFootprint {
  private FrontCacheFootprint() {}

  public static void main(String[] args) throws InterruptedException {
    String[] sizes = args.length == 0 ? new String[] {"10000", "1000000"} : args;
    System.out.printf("%10s %14s %12s%n", "sessions", "heap_delta_MB", "bytes/entry");
    for (String size : sizes) {
      int n = Integer.parseInt(size);
      measure(n);
    }
  }

  private static void measure(int n) throws InterruptedException {
    InstantSource clock = InstantSource.system();
    try (KeyRatchet keys = KeyRatchet.fromToken(
            KeyToken.generate(Duration.ofHours(1), clock), Duration.ofHours(1), clock);
        SessionCache cache = SessionCache.builder().keys(keys).store(new DroppingStore())
            .namespace("footprint").frontCacheMaximumSize(n).build()) {
      long before = liveHeap();
      SecureRandom random = new SecureRandom();
      Instant expiry = clock.instant().plus(Duration.ofMinutes(30));
      byte[] id = new byte[32];
      SessionId first = null;
      for (int i = 0; i < n; i++) {
        random.nextBytes(id);
        if (i == 0) {
          first = SessionId.of(id);
        }
        byte[] state = new byte[SealBenchmark.STATE_SIZE_BYTES];
        random.nextBytes(state);
        cache.put(SessionId.of(id), state, expiry);
      }
      long after = liveHeap();
      Optional<SessionState> oldest = cache.peek(first);
      if (oldest.isEmpty() || cache.stats().puts() != n) {
        throw new IllegalStateException("the front cache did not keep all " + n + " sessions");
      }
      oldest.get().destroy();
      System.out.printf("%10d %14.1f %12d%n", n, (after - before) / 1e6, (after - before) / n);
    }
  }

  private static long liveHeap() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200); // let the collector's reference processing finish; the figure is a minimum
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** A store that keeps nothing: the measurement is the front cache alone. */
  private static final class DroppingStore implements SessionStore {
    @Override
    public CompletableFuture<Optional<byte[]>> get(String key) {
      return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public CompletableFuture<Void> set(String key, byte[] value, Duration ttl) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> delete(String key) {
      return CompletableFuture.completedFuture(Boolean.FALSE);
    }
  }
}
