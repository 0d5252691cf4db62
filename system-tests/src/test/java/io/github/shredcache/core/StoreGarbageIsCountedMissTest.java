package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.core.internal.SealedEntryException;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Garbage from the store: random bytes and random multi-byte mutations of a valid entry. Opening
 * may only fail with a {@link SealedEntryException}; through the cache, every one is a miss plus
 * exactly one counted cause. (A poor man's fuzzer, seeded so failures reproduce.)
 */
class StoreGarbageIsCountedMissTest {
  private final FakeClock clock = new FakeClock(TestKeys.START.plus(Duration.ofMinutes(1)));
  private final InMemorySessionStore store = new InMemorySessionStore(clock);

  @Test
  void randomBytesAndMutationsOnlyEverFailAsCountedMisses() {
    DefaultSessionCache cache = (DefaultSessionCache) TestKeys.cacheA(clock, store);
    SessionId id = TestKeys.sessionId(5);
    cache.put(id, TestKeys.state(5, 160), clock.instant().plus(Duration.ofMinutes(10)));
    String key = cache.storeKey(id);
    byte[] valid = store.get(key).join().orElseThrow();
    cache.invalidate(id).join();
    store.set(key, valid, Duration.ofMinutes(10)).join();

    Random random = new Random(20261129L);
    int rounds = 2000;
    for (int i = 0; i < rounds; i++) {
      byte[] input;
      if (i % 2 == 0) {
        input = new byte[random.nextInt(400)];
        random.nextBytes(input);
        if (input.length > 0 && random.nextBoolean()) {
          input[0] = 1; // get past the version check more often
        }
      } else {
        input = valid.clone();
        int flips = 1 + random.nextInt(4);
        for (int f = 0; f < flips; f++) {
          input[random.nextInt(input.length)] ^= (byte) (1 + random.nextInt(255));
        }
      }
      byte[] in = input;
      try {
        cache.open(id, in);
        throw new AssertionError("garbage opened at round " + i);
      } catch (SealedEntryException expected) {
        assertThat(expected.getMessage()).doesNotContain("0x");
      }
    }
    // The same through the cache's store path: misses and counted causes, nothing thrown.
    for (int i = 0; i < 200; i++) {
      byte[] garbage = new byte[random.nextInt(100)];
      random.nextBytes(garbage);
      store.set(key, garbage, Duration.ofMinutes(10)).join();
      assertThat(cache.lookup(id).join()).isEqualTo(LookupResult.MISS);
    }
    CacheStats st = cache.stats();
    assertThat(st.openFailures().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(200);
    assertThat(st.misses()).isEqualTo(200);
  }

  @Test
  void sealLimitPerKeyIsEnforced() {
    KeyRatchet keys = TestKeys.ratchetA(clock);
    SessionCache cache = TestKeys.builder(keys, clock, store).namespace("test").build();
    keys.sealingKey().seals.set(io.github.shredcache.core.internal.SealedEntry.MAX_SEALS_PER_KEY);
    SessionId id = TestKeys.sessionId(6);
    cache.put(id, TestKeys.state(6, 160), clock.instant().plus(Duration.ofMinutes(10)));
    assertThat(store.size()).isZero(); // not sealed, not stored
    assertThat(cache.peek(id)).isPresent(); // still usable on this node
    assertThat(cache.stats().storeErrors()).isEqualTo(1);
    clock.advance(Duration.ofHours(1)); // a new epoch, a new key
    cache.put(id, TestKeys.state(6, 160), clock.instant().plus(Duration.ofMinutes(10)));
    assertThat(store.size()).isEqualTo(1);
  }
}
