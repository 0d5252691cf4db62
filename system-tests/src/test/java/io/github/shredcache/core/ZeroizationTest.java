package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The plaintext buffers the front cache owns are all zeros once they leave it, for every cause. */
class ZeroizationTest {
  private final FakeClock clock = new FakeClock(TestKeys.START.plus(Duration.ofMinutes(1)));
  private final InMemorySessionStore store = new InMemorySessionStore(clock);
  private final SessionId id = TestKeys.sessionId(1);
  private final byte[] state = TestKeys.state(1, 160);

  private DefaultSessionCache cache() {
    return (DefaultSessionCache) TestKeys.cacheA(clock, store);
  }

  private static byte[] live(DefaultSessionCache cache, SessionId id) {
    SessionState s = cache.frontValueForTesting(id);
    assertThat(s).as("front value for %s", id).isNotNull();
    byte[] bytes = s.internalBytesForTesting();
    assertThat(bytes).as("not yet zeroized").isNotEqualTo(new byte[bytes.length]);
    return bytes;
  }

  @Test
  void afterInvalidation() {
    DefaultSessionCache cache = cache();
    cache.put(id, state, clock.instant().plus(Duration.ofMinutes(5)));
    byte[] bytes = live(cache, id);
    cache.invalidate(id).join();
    cache.cleanUpForTesting();
    assertThat(bytes).containsOnly(0);
  }

  @Test
  void afterExpiry() {
    DefaultSessionCache cache = cache();
    cache.put(id, state, clock.instant().plus(Duration.ofMinutes(5)));
    byte[] bytes = live(cache, id);
    clock.advance(Duration.ofMinutes(5));
    cache.cleanUpForTesting();
    assertThat(bytes).containsOnly(0);
  }

  @Test
  void afterFrontCacheTtlOfAStoreEntry() {
    TestKeys.cacheA(clock, store).put(id, state, clock.instant().plus(Duration.ofMinutes(30)));
    DefaultSessionCache reader = cache();
    assertThat(reader.lookup(id).join()).isEqualTo(LookupResult.STORE_HIT);
    byte[] bytes = live(reader, id);
    clock.advance(Duration.ofSeconds(60)); // the default front-cache TTL
    reader.cleanUpForTesting();
    assertThat(bytes).containsOnly(0);
  }

  @Test
  void afterSizeEviction() {
    DefaultSessionCache cache = (DefaultSessionCache) TestKeys.builderA(clock, store)
        .frontCacheMaximumSize(1).build();
    SessionId other = TestKeys.sessionId(2);
    cache.put(id, state, clock.instant().plus(Duration.ofMinutes(5)));
    byte[] first = live(cache, id);
    cache.put(other, TestKeys.state(2, 160), clock.instant().plus(Duration.ofMinutes(5)));
    byte[] second = cache.frontValueForTesting(other) == null ? null : live(cache, other);
    cache.cleanUpForTesting();
    // Caffeine's admission policy decides which one stays; whichever left is zeroized.
    boolean firstStays = cache.frontValueForTesting(id) != null;
    boolean secondStays = cache.frontValueForTesting(other) != null;
    assertThat(firstStays && secondStays).as("size bound of 1 held").isFalse();
    if (!firstStays) {
      assertThat(first).containsOnly(0);
    }
    if (!secondStays && second != null) {
      assertThat(second).containsOnly(0);
    }
  }

  @Test
  void afterReplacement() {
    DefaultSessionCache cache = cache();
    cache.put(id, state, clock.instant().plus(Duration.ofMinutes(5)));
    byte[] old = live(cache, id);
    cache.put(id, TestKeys.state(9, 160), clock.instant().plus(Duration.ofMinutes(5)));
    cache.cleanUpForTesting();
    assertThat(old).containsOnly(0);
    assertThat(cache.peek(id).orElseThrow().toByteArray()).isEqualTo(TestKeys.state(9, 160));
  }

  @Test
  void afterClose() {
    DefaultSessionCache cache = cache();
    cache.put(id, state, clock.instant().plus(Duration.ofMinutes(5)));
    byte[] bytes = live(cache, id);
    cache.close();
    assertThat(bytes).containsOnly(0);
  }

  @Test
  void peekedCopyIsIndependentAndOwnedByTheCaller() {
    DefaultSessionCache cache = cache();
    cache.put(id, state, clock.instant().plus(Duration.ofMinutes(5)));
    SessionState copy = cache.peek(id).orElseThrow();
    cache.invalidate(id).join();
    cache.cleanUpForTesting();
    assertThat(copy.toByteArray()).isEqualTo(state); // the cache does not destroy the caller's copy
    byte[] copyBytes = copy.internalBytesForTesting();
    copy.destroy();
    assertThat(copyBytes).containsOnly(0);
    assertThat(copy.toString()).doesNotContain(java.util.Arrays.toString(state));
  }
}
