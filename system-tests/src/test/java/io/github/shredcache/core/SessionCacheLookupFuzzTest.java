package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fuzzes what a hostile store can hand a {@link SessionCache}: any bytes under a live session ID's
 * key. Each lookup must complete as a {@link LookupResult#MISS} with exactly one open failure
 * counted, leave nothing in the front cache, and never throw.
 *
 * <p>Regression inputs: {@code
 * src/test/resources/io/github/shredcache/core/SessionCacheLookupFuzzTestInputs/garbageIsACountedMiss/}.
 * Fuzzing: {@code JAZZER_FUZZ=1 mvn -o test -pl cache-core
 * -Dtest=SessionCacheLookupFuzzTest#garbageIsACountedMiss} (RELIABILITY.md).
 */
class SessionCacheLookupFuzzTest {
  private static final FakeClock CLOCK = new FakeClock();
  private static final HostileStore STORE = new HostileStore();
  private static final SessionCache CACHE = TestKeys.cacheA(CLOCK, STORE);

  @FuzzTest
  void garbageIsACountedMiss(FuzzedDataProvider data) throws Exception {
    SessionId id = TestKeys.sessionId(data.consumeInt(0, 1 << 20));
    STORE.value = data.consumeRemainingAsBytes();
    CacheStats before = CACHE.stats();

    LookupResult result = CACHE.lookup(id).get(5, TimeUnit.SECONDS);

    CacheStats after = CACHE.stats();
    assertThat(result).isEqualTo(LookupResult.MISS);
    assertThat(CACHE.peek(id)).isEmpty();
    assertThat(after.misses() - before.misses()).isEqualTo(1);
    assertThat(totalOpenFailures(after) - totalOpenFailures(before)).isEqualTo(1);
    assertThat(after.storeHits()).isEqualTo(before.storeHits());
  }

  private static long totalOpenFailures(CacheStats s) {
    long n = 0;
    for (OpenFailure f : OpenFailure.values()) {
      n += s.openFailures(f);
    }
    return n;
  }

  /** Answers every get with the planted bytes (any size); ignores writes. */
  private static final class HostileStore implements SessionStore {
    volatile byte[] value = new byte[0];

    @Override
    public CompletableFuture<Optional<byte[]>> get(String key) {
      return CompletableFuture.completedFuture(Optional.of(value.clone()));
    }

    @Override
    public CompletableFuture<Void> set(String key, byte[] v, Duration ttl) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> delete(String key) {
      return CompletableFuture.completedFuture(false);
    }
  }
}
