package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.core.internal.SealedEntry;
import io.github.shredcache.core.internal.SealedEntryException;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Seal, move the clock past the session lifetime plus the key window, and show that the entry's
 * bytes (still lying around, as in a memcached slab or a backup) can no longer be opened by anyone
 * holding the chain from then on.
 */
class CryptoShreddingTest {
  private final FakeClock clock = new FakeClock(TestKeys.START.plus(Duration.ofMinutes(10)));
  private final InMemorySessionStore store = new InMemorySessionStore(clock);
  private final SessionId id = TestKeys.sessionId(3);
  private final byte[] state = TestKeys.state(3, 160);

  @Test
  void entryIsShreddedWhenItsEpochLeavesTheWindow() throws Exception {
    KeyRatchet keys = TestKeys.ratchetA(clock);
    DefaultSessionCache cache = (DefaultSessionCache) TestKeys.builder(keys, clock, store).namespace("test").build();
    cache.put(id, state, clock.instant().plus(TestKeys.LIFETIME));
    String key = cache.storeKey(id);
    byte[] copyOfTheBytes = store.get(key).join().orElseThrow(); // e.g. a memcached slab, a backup
    assertThat(SealedEntry.parse(copyOfTheBytes).epoch()).isEqualTo(TestKeys.EPOCH_0);
    byte[] epochState = keys.openingKey(TestKeys.EPOCH_0).internalStateForTesting();

    // Still inside lifetime and window: another node opens it.
    assertThat(TestKeys.cacheA(clock, store).lookup(id).join()).isEqualTo(LookupResult.STORE_HIT);

    // Past lifetime (1 h) + window (R = 1 epoch of 1 h): the epoch key must be gone.
    clock.advance(Duration.ofHours(2));
    keys.advance();
    assertThat(epochState).as("S_e zeroized when it left the window").containsOnly(0);
    assertThat(keys.openingKey(TestKeys.EPOCH_0)).isNull();

    // The same cache object cannot open it.
    store.set(key, copyOfTheBytes, Duration.ofDays(1)).join();
    assertThat(cache.lookup(id).join()).isEqualTo(LookupResult.MISS);
    assertThat(cache.stats().openFailures(OpenFailure.EPOCH_OUTSIDE_WINDOW)).isEqualTo(1);
    assertThatThrownBy(() -> cache.open(id, copyOfTheBytes))
        .isInstanceOf(SealedEntryException.class)
        .satisfies(e -> assertThat(((SealedEntryException) e).failure()).isEqualTo(SealedEntryException.Failure.EPOCH_OUTSIDE_WINDOW));

    // A node built from the chain at that time (the stored token advanced, as 'keys advance' does)
    // cannot open it either, whichever key of its window it tries.
    long now = keys.currentEpoch();
    KeyRatchet later = KeyRatchet.fromToken(TestKeys.tokenA(clock, now), TestKeys.LIFETIME, clock);
    DefaultSessionCache laterCache =
        (DefaultSessionCache) TestKeys.builder(later, clock, store).namespace("test").build();
    assertThat(laterCache.lookup(id).join()).isEqualTo(LookupResult.MISS);
    assertThat(laterCache.stats().openFailures(OpenFailure.EPOCH_OUTSIDE_WINDOW)).isEqualTo(1);
    SealedEntry entry = SealedEntry.parse(copyOfTheBytes);
    for (long e = now - later.epochsBehind(); e <= now + 1; e++) {
      KeyRatchet.EpochKey k = later.openingKey(e);
      if (k != null) {
        assertThatThrownBy(() -> entry.open(k.sealKey(), "test".getBytes(), id.toByteArray()))
            .isInstanceOf(SealedEntryException.class);
      }
    }
    // Even the original token, started now, ratchets past the epoch and drops it.
    FakeClock sameTime = new FakeClock(clock.instant());
    KeyRatchet fromOldToken = KeyRatchet.fromToken(TestKeys.tokenA(sameTime), TestKeys.LIFETIME, sameTime);
    assertThat(fromOldToken.openingKey(TestKeys.EPOCH_0)).isNull();
  }

  @Test
  void entryIsStillReadableJustBeforeItsEpochLeaves() {
    // The window must be wide enough: an entry sealed at the end of an epoch, with the full
    // lifetime, opens right up to its expiry.
    clock.set(TestKeys.START.plus(Duration.ofMinutes(59)));
    SessionCache a = TestKeys.cacheA(clock, store);
    a.put(id, state, clock.instant().plus(TestKeys.LIFETIME));
    clock.advance(TestKeys.LIFETIME.minusSeconds(1));
    SessionCache b = TestKeys.cacheA(clock, store);
    assertThat(b.lookup(id).join()).isEqualTo(LookupResult.STORE_HIT);
  }
}
