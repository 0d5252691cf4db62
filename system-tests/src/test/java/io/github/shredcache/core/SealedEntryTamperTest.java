package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.core.internal.SealedEntry;
import io.github.shredcache.core.internal.SealedEntryException;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every modification of a sealed entry is rejected, through the cache (a miss plus a counter) and
 * through the format (a {@link SealedEntryException}).
 */
class SealedEntryTamperTest {
  private final FakeClock clock = new FakeClock(TestKeys.START.plus(Duration.ofMinutes(10)));
  private final InMemorySessionStore store = new InMemorySessionStore(clock);
  private final SessionId id = TestKeys.sessionId(7);
  private final byte[] state = TestKeys.state(7, 160);
  private SessionCache writer;
  private DefaultSessionCache reader;
  private String key;
  private byte[] sealed;

  @BeforeEach
  void seal() {
    writer = TestKeys.cacheA(clock, store);
    reader = (DefaultSessionCache) TestKeys.cacheA(clock, store);
    writer.put(id, state, clock.instant().plus(Duration.ofMinutes(30)));
    key = DefaultSessionCache.storeKey("test", id);
    sealed = store.get(key).join().orElseThrow();
  }

  private LookupResult lookupWith(byte[] value) {
    store.set(key, value, Duration.ofMinutes(5)).join();
    return reader.lookup(id).join();
  }

  @Test
  void theUntamperedEntryOpens() throws Exception {
    assertThat(lookupWith(sealed)).isEqualTo(LookupResult.STORE_HIT);
    SessionState s = reader.open(id, sealed);
    assertThat(s.toByteArray()).isEqualTo(state);
    assertThat(s.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(30)));
  }

  @Test
  void everySingleBitFlipIsRejected() {
    for (int i = 0; i < sealed.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] m = sealed.clone();
        m[i] ^= (byte) (1 << bit);
        assertThat(lookupWith(m)).as("byte %d bit %d", i, bit).isEqualTo(LookupResult.MISS);
      }
    }
    CacheStats st = reader.stats();
    assertThat(st.storeHits()).isZero();
    long failures = st.openFailures().values().stream().mapToLong(Long::longValue).sum();
    assertThat(failures).isEqualTo(sealed.length * 8L);
    // Flips in the ciphertext, tag and nonce can only be caught by authentication.
    assertThat(st.openFailures(OpenFailure.AUTHENTICATION)).isGreaterThanOrEqualTo((sealed.length - 17) * 8L);
    assertThat(st.openFailures(OpenFailure.MALFORMED)).isEqualTo(8); // the version byte
  }

  @Test
  void everyTruncationIsRejected() {
    for (int len = 0; len < sealed.length; len++) {
      assertThat(lookupWith(Arrays.copyOf(sealed, len))).as("length %d", len).isEqualTo(LookupResult.MISS);
    }
    CacheStats st = reader.stats();
    assertThat(st.openFailures(OpenFailure.MALFORMED)).isEqualTo(SealedEntry.MIN_SIZE_BYTES);
    assertThat(st.openFailures(OpenFailure.AUTHENTICATION)).isEqualTo(sealed.length - SealedEntry.MIN_SIZE_BYTES);
  }

  @Test
  void extensionsAreRejected() {
    assertThat(lookupWith(Arrays.copyOf(sealed, sealed.length + 1))).isEqualTo(LookupResult.MISS);
    byte[] doubled = Arrays.copyOf(sealed, sealed.length * 2);
    System.arraycopy(sealed, 0, doubled, sealed.length, sealed.length);
    assertThat(lookupWith(doubled)).isEqualTo(LookupResult.MISS);
    assertThat(lookupWith(new byte[SessionStore.MAX_VALUE_BYTES])).isEqualTo(LookupResult.MISS);
    assertThat(reader.stats().openFailures(OpenFailure.AUTHENTICATION)).isEqualTo(2);
    assertThat(reader.stats().openFailures(OpenFailure.MALFORMED)).isEqualTo(1); // version 0
  }

  @Test
  void oversizedValueIsRejectedBeforeParsing() {
    SealedEntryException e = org.junit.jupiter.api.Assertions.assertThrows(
        SealedEntryException.class, () -> SealedEntry.parse(new byte[SessionStore.MAX_VALUE_BYTES + 1]));
    assertThat(e.failure()).isEqualTo(SealedEntryException.Failure.OVERSIZED);
  }

  @Test
  void entryMovedToAnotherSessionIdIsRejected() {
    SessionId other = TestKeys.sessionId(8);
    String otherKey = DefaultSessionCache.storeKey("test", other);
    store.set(otherKey, sealed, Duration.ofMinutes(5)).join();
    assertThat(reader.lookup(other).join()).isEqualTo(LookupResult.MISS);
    assertThat(reader.stats().openFailures(OpenFailure.AUTHENTICATION)).isEqualTo(1);
  }

  @Test
  void entryFromAnotherNamespaceIsRejected() {
    SessionCache otherNamespace = TestKeys.builderA(clock, store).namespace("other").build();
    store.set(DefaultSessionCache.storeKey("other", id), sealed, Duration.ofMinutes(5)).join();
    assertThat(otherNamespace.lookup(id).join()).isEqualTo(LookupResult.MISS);
    assertThat(otherNamespace.stats().openFailures(OpenFailure.AUTHENTICATION)).isEqualTo(1);
  }

  @Test
  void expiredEntryIsRejected() {
    clock.advance(Duration.ofMinutes(30));
    assertThat(lookupWith(sealed)).isEqualTo(LookupResult.MISS);
    assertThat(reader.stats().openFailures(OpenFailure.EXPIRED)).isEqualTo(1);
  }

  @Test
  void entryOfAnEpochOlderThanTheWindowIsRejected() throws Exception {
    // Sealed by hand under epoch EPOCH_0 with a far expiry, so only the window can reject it.
    KeyRatchet r = TestKeys.ratchetA(clock);
    byte[] old = SealedEntry.seal(r.openingKey(TestKeys.EPOCH_0).sealKey(), TestKeys.EPOCH_0,
        clock.instant().plus(Duration.ofDays(3)).getEpochSecond(), "test".getBytes(), id.toByteArray(), state);
    assertThat(lookupWith(old)).isEqualTo(LookupResult.STORE_HIT);
    reader.invalidate(id);
    clock.advance(Duration.ofHours(2)); // window is now [EPOCH_0 + 1, EPOCH_0 + 3]
    assertThat(lookupWith(old)).isEqualTo(LookupResult.MISS);
    assertThat(reader.stats().openFailures(OpenFailure.EPOCH_OUTSIDE_WINDOW)).isEqualTo(1);
  }

  @Test
  void entryMoreThanOneEpochAheadIsRejected() throws Exception {
    FakeClock ahead = new FakeClock(clock.instant().plus(Duration.ofHours(2)));
    KeyRatchet r = KeyRatchet.fromToken(TestKeys.tokenA(ahead), TestKeys.LIFETIME, ahead);
    Instant expires = clock.instant().plus(Duration.ofMinutes(30));
    byte[] plus1 = SealedEntry.seal(r.openingKey(TestKeys.EPOCH_0 + 1).sealKey(), TestKeys.EPOCH_0 + 1,
        expires.getEpochSecond(), "test".getBytes(), id.toByteArray(), state);
    byte[] plus2 = SealedEntry.seal(r.openingKey(TestKeys.EPOCH_0 + 2).sealKey(), TestKeys.EPOCH_0 + 2,
        expires.getEpochSecond(), "test".getBytes(), id.toByteArray(), state);
    assertThat(lookupWith(plus2)).isEqualTo(LookupResult.MISS);
    assertThat(reader.stats().openFailures(OpenFailure.EPOCH_OUTSIDE_WINDOW)).isEqualTo(1);
    assertThat(lookupWith(plus1)).isEqualTo(LookupResult.STORE_HIT); // one ahead: clock skew allowance
  }

  @Test
  void entryFromAnotherChainIsRejected() {
    SessionCache chainB = TestKeys.cacheB(clock, store);
    assertThat(chainB.lookup(id).join()).isEqualTo(LookupResult.MISS);
    assertThat(chainB.stats().openFailures(OpenFailure.AUTHENTICATION)).isEqualTo(1);
  }

  @Test
  void headerIsWhatTheDesignSays() {
    assertThat(sealed[0]).isEqualTo((byte) 1);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(sealed, 1, 16);
    assertThat(b.getLong()).isEqualTo(TestKeys.EPOCH_0);
    assertThat(b.getLong()).isEqualTo(clock.instant().plus(Duration.ofMinutes(30)).getEpochSecond());
    assertThat(sealed).hasSize(1 + 8 + 8 + 12 + 160 + 16);
    // Two seals of the same state differ (random nonce).
    writer.put(id, state, clock.instant().plus(Duration.ofMinutes(30)));
    byte[] again = store.get(key).join().orElseThrow();
    assertThat(Arrays.copyOfRange(again, 17, 29)).isNotEqualTo(Arrays.copyOfRange(sealed, 17, 29));
  }
}
