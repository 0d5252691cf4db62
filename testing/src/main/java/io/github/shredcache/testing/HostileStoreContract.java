package io.github.shredcache.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.shredcache.core.CacheStats;
import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.OpenFailure;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionCacheBuilder;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.core.SessionStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile store contents, for any {@link SessionStore}: an attacker with write access to the store
 * plants forged entries under a live session ID's key. None may be accepted: each lookup by a
 * node (a fresh cache of the genuine key chain, so nothing comes from a front cache) is a
 * {@link LookupResult#MISS} and counts exactly the expected {@link OpenFailure}.
 *
 * <p>Subclasses give the store and raw access to it (the attacker's view). Reused by the
 * in-memory store's test and the memcached integration test.
 */
public abstract class HostileStoreContract {
  protected static final String NAMESPACE = "test";

  protected FakeClock clock;
  protected SessionStore store;
  private SessionCache nodeA;

  /** A new, empty store; its own clock (if any) may ignore {@code clock}. */
  protected abstract SessionStore newStore(FakeClock clock);

  /** Writes exactly {@code value} under {@code key}, bypassing the cache (the attacker's write). */
  protected abstract void plant(String key, byte[] value);

  /** Reads the raw bytes under {@code key} now (the attacker's read). */
  protected abstract Optional<byte[]> rawGet(String key);

  /** Lets a subclass tune every node's cache (e.g. a lookup timeout for a remote store). */
  protected SessionCacheBuilder tune(SessionCacheBuilder builder) {
    return builder;
  }

  /** Whether {@link #plant} can write values larger than {@link SessionStore#MAX_VALUE_BYTES}. */
  protected boolean acceptsOversizedValues() {
    return true;
  }

  @BeforeEach
  void startNode() {
    clock = new FakeClock();
    store = newStore(clock);
    nodeA = tune(TestKeys.builderA(clock, store).namespace(NAMESPACE)).build();
  }

  @AfterEach
  void stopNode() {
    nodeA.close();
    store.close();
  }

  /** A session state carrying a master secret the attacker chose. */
  protected static byte[] chosenSecretState() {
    byte[] secret = new byte[48];
    Arrays.fill(secret, (byte) 0x41);
    return ByteBuffer.allocate(64).put("forged!!".getBytes(StandardCharsets.US_ASCII))
        .put(secret).put(new byte[8]).array();
  }

  /** Node A puts a genuine session; waits until its (asynchronous) write reached the store. */
  private byte[] putGenuine(SessionId id, Duration lifetime) throws Exception {
    String key = TestKeys.storeKey(NAMESPACE, id);
    byte[] previous = rawGet(key).orElse(null);
    nodeA.put(id, TestKeys.state(id.hashCode(), 120), clock.instant().plus(lifetime));
    // every seal has a fresh nonce: a new value is this put's
    return await("node A's entry in the store").atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5)).pollInSameThread()
        .until(() -> rawGet(key).filter(now -> !Arrays.equals(now, previous)), Optional::isPresent)
        .orElseThrow();
  }

  /**
   * What a holder of {@code keys} (another chain, or this chain on a skewed clock) seals for
   * {@code id} in {@code namespace}: made offline in a private store, then read back raw.
   */
  private static byte[] forge(KeyRatchet keys, FakeClock itsClock, String namespace, SessionId id)
      throws Exception {
    InMemorySessionStore offline = new InMemorySessionStore(itsClock);
    try (SessionCache evil = TestKeys.builder(keys, itsClock, offline).namespace(namespace).build()) {
      evil.put(id, chosenSecretState(), itsClock.instant().plus(Duration.ofMinutes(30)));
      return offline.get(TestKeys.storeKey(namespace, id)).join().orElseThrow();
    } finally {
      keys.close();
    }
  }

  /** One lookup by a fresh node of the genuine chain; returns the result and checks counters. */
  private LookupResult lookupAsFreshNode(SessionId id, OpenFailure expected) throws Exception {
    return lookupAsFreshNode(id, expected == null ? EnumSet.noneOf(OpenFailure.class) : EnumSet.of(expected));
  }

  /**
   * As above, where any one of {@code allowed} may be the counted cause (e.g. a flipped header
   * bit: its epoch or expiry check may fire before authentication would).
   */
  private LookupResult lookupAsFreshNode(SessionId id, Set<OpenFailure> allowed) throws Exception {
    boolean expectMiss = !allowed.isEmpty();
    KeyRatchet keys = KeyRatchet.fromToken(TestKeys.tokenA(clock), TestKeys.LIFETIME, clock);
    try (SessionCache node = tune(TestKeys.builder(keys, clock, store).namespace(NAMESPACE)).build()) {
      CacheStats before = node.stats();
      LookupResult result = node.lookup(id).get(10, TimeUnit.SECONDS);
      CacheStats after = node.stats();
      if (expectMiss) {
        assertThat(result).as("forged entry (%s) accepted", allowed).isEqualTo(LookupResult.MISS);
        assertThat(node.peek(id)).isEmpty();
        assertThat(after.misses() - before.misses()).isEqualTo(1);
        assertThat(after.storeHits()).isEqualTo(before.storeHits());
        long counted = 0;
        for (OpenFailure f : OpenFailure.values()) {
          long delta = after.openFailures(f) - before.openFailures(f);
          assertThat(delta).as("counter %s (allowed: %s)", f, allowed).isBetween(0L, allowed.contains(f) ? 1L : 0L);
          counted += delta;
        }
        assertThat(counted).as("exactly one open failure counted").isEqualTo(1);
      }
      return result;
    } finally {
      keys.close();
    }
  }

  @Test
  void genuineEntryIsAcceptedByAnotherNode() throws Exception {
    SessionId id = TestKeys.sessionId(1);
    putGenuine(id, Duration.ofMinutes(30));
    assertThat(lookupAsFreshNode(id, EnumSet.noneOf(OpenFailure.class))).isEqualTo(LookupResult.STORE_HIT);
  }

  @Test
  void chosenSecretSealedUnderAnotherChainIsRejected() throws Exception {
    SessionId id = TestKeys.sessionId(2);
    putGenuine(id, Duration.ofMinutes(30));
    // The attacker runs the real code with a key chain of its own: same namespace, same ID.
    byte[] forged = forge(TestKeys.ratchetB(clock), clock, NAMESPACE, id);
    plant(TestKeys.storeKey(NAMESPACE, id), forged);
    lookupAsFreshNode(id, OpenFailure.AUTHENTICATION);
  }

  @Test
  void validEntryOfAnotherSessionIdIsRejected() throws Exception {
    SessionId victim = TestKeys.sessionId(3);
    SessionId other = TestKeys.sessionId(4);
    putGenuine(victim, Duration.ofMinutes(30));
    byte[] otherEntry = putGenuine(other, Duration.ofMinutes(30));
    plant(TestKeys.storeKey(NAMESPACE, victim), otherEntry);
    lookupAsFreshNode(victim, OpenFailure.AUTHENTICATION);
  }

  @Test
  void validEntryOfAnotherNamespaceIsRejected() throws Exception {
    SessionId id = TestKeys.sessionId(5);
    putGenuine(id, Duration.ofMinutes(30));
    // Another cluster on the same key chain but namespace "other" sealed the same ID.
    byte[] foreign = forge(TestKeys.ratchetA(clock), clock, "other", id);
    plant(TestKeys.storeKey(NAMESPACE, id), foreign);
    lookupAsFreshNode(id, OpenFailure.AUTHENTICATION);
  }

  @Test
  void replayedEntryOfAnErasedEpochIsRejected() throws Exception {
    SessionId id = TestKeys.sessionId(6);
    byte[] old = putGenuine(id, Duration.ofMinutes(30));
    // Two epochs later (1 h epochs, 1 h lifetime: window [e-1, e+1]) the old key is erased.
    clock.advance(Duration.ofHours(2));
    putGenuine(id, Duration.ofMinutes(30)); // the ID is live again: a current entry exists
    plant(TestKeys.storeKey(NAMESPACE, id), old);
    lookupAsFreshNode(id, OpenFailure.EPOCH_OUTSIDE_WINDOW);
  }

  @Test
  void replayedExpiredEntryIsRejected() throws Exception {
    SessionId id = TestKeys.sessionId(7);
    byte[] old = putGenuine(id, Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(11)); // same or next epoch: the key is still held
    putGenuine(id, Duration.ofMinutes(30));
    plant(TestKeys.storeKey(NAMESPACE, id), old);
    lookupAsFreshNode(id, OpenFailure.EXPIRED);
  }

  @Test
  void entryFromTheFutureIsRejected() throws Exception {
    SessionId id = TestKeys.sessionId(8);
    putGenuine(id, Duration.ofMinutes(30));
    // A holder of the chain seals under epoch e+2 (beyond the next-epoch skew allowance).
    FakeClock ahead = new FakeClock(clock.instant().plus(Duration.ofHours(2)));
    byte[] future = forge(TestKeys.ratchetA(ahead), ahead, NAMESPACE, id);
    plant(TestKeys.storeKey(NAMESPACE, id), future);
    lookupAsFreshNode(id, OpenFailure.EPOCH_OUTSIDE_WINDOW);
  }

  @Test
  void headerWithLaterExpiryOrOtherEpochIsRejected() throws Exception {
    SessionId id = TestKeys.sessionId(9);
    byte[] genuine = putGenuine(id, Duration.ofMinutes(30));
    byte[] later = genuine.clone();
    ByteBuffer.wrap(later).putLong(9, ByteBuffer.wrap(genuine).getLong(9) + 3600);
    plant(TestKeys.storeKey(NAMESPACE, id), later);
    lookupAsFreshNode(id, OpenFailure.AUTHENTICATION);

    byte[] otherEpoch = genuine.clone();
    ByteBuffer.wrap(otherEpoch).putLong(1, ByteBuffer.wrap(genuine).getLong(1) + 1);
    plant(TestKeys.storeKey(NAMESPACE, id), otherEpoch);
    lookupAsFreshNode(id, OpenFailure.AUTHENTICATION);
  }

  @Test
  void randomBytesAreRejected() throws Exception {
    SessionId id = TestKeys.sessionId(10);
    byte[] genuine = putGenuine(id, Duration.ofMinutes(30));
    Random random = new Random(10);
    for (int size : new int[] {1, 16, 44}) { // shorter than any entry
      byte[] junk = new byte[size];
      random.nextBytes(junk);
      plant(TestKeys.storeKey(NAMESPACE, id), junk);
      lookupAsFreshNode(id, OpenFailure.MALFORMED);
    }
    for (int size : new int[] {45, 150, 4096}) {
      byte[] junk = new byte[size];
      random.nextBytes(junk);
      junk[0] = 2; // an unknown version
      plant(TestKeys.storeKey(NAMESPACE, id), junk);
      lookupAsFreshNode(id, OpenFailure.MALFORMED);
      junk[0] = 1; // right version, random epoch/expiry: stopped by the window or expiry check
      plant(TestKeys.storeKey(NAMESPACE, id), junk);
      lookupAsFreshNode(id, EnumSet.of(OpenFailure.EPOCH_OUTSIDE_WINDOW, OpenFailure.EXPIRED));
      // the genuine (plaintext) header, random nonce and ciphertext: only the tag can stop it
      System.arraycopy(genuine, 0, junk, 0, 17);
      plant(TestKeys.storeKey(NAMESPACE, id), junk);
      lookupAsFreshNode(id, OpenFailure.AUTHENTICATION);
    }
  }

  @Test
  void bitFlipsAnywhereAreRejected() throws Exception {
    SessionId id = TestKeys.sessionId(11);
    byte[] genuine = putGenuine(id, Duration.ofMinutes(30));
    byte[] version = genuine.clone();
    version[0] ^= 0x01;
    plant(TestKeys.storeKey(NAMESPACE, id), version);
    lookupAsFreshNode(id, OpenFailure.MALFORMED);
    for (int i = 1; i < genuine.length; i++) {
      for (int bit = i % 8; bit == i % 8; bit++) { // one bit per byte, every bit position in turn
        byte[] flipped = genuine.clone();
        flipped[i] ^= (byte) (1 << bit);
        plant(TestKeys.storeKey(NAMESPACE, id), flipped);
        if (i < 17) { // epoch or expiry: a window or expiry check may stop it before the tag
          lookupAsFreshNode(id, EnumSet.of(OpenFailure.EPOCH_OUTSIDE_WINDOW, OpenFailure.EXPIRED,
              OpenFailure.AUTHENTICATION));
        } else {
          lookupAsFreshNode(id, OpenFailure.AUTHENTICATION);
        }
      }
    }
    plant(TestKeys.storeKey(NAMESPACE, id), Arrays.copyOf(genuine, genuine.length - 1));
    lookupAsFreshNode(id, OpenFailure.AUTHENTICATION);
    plant(TestKeys.storeKey(NAMESPACE, id), Arrays.copyOf(genuine, genuine.length + 1));
    lookupAsFreshNode(id, OpenFailure.AUTHENTICATION);
  }

  @Test
  void oversizedValuesAreRejected() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(acceptsOversizedValues(),
        "this store refuses oversized values on write: nothing to plant");
    SessionId id = TestKeys.sessionId(12);
    byte[] genuine = putGenuine(id, Duration.ofMinutes(30));
    for (int size : new int[] {SessionStore.MAX_VALUE_BYTES + 1, 512 * 1024}) {
      byte[] big = Arrays.copyOf(genuine, size); // a genuine prefix, padded
      plant(TestKeys.storeKey(NAMESPACE, id), big);
      lookupAsFreshNode(id, OpenFailure.OVERSIZED);
    }
  }

  /**
   * Known limit, pinned: invalidation deletes the entry but is not a revocation list. An attacker
   * who copied a genuine, still-live entry can put it back after the delete and a node accepts it
   * until its authenticated expiry. The attacker still learns nothing and cannot choose the
   * secret; it only undoes the delete. See SECURITY.md.
   */
  @Test
  void replantedAfterInvalidationIsAcceptedUntilExpiry_knownLimit() throws Exception {
    SessionId id = TestKeys.sessionId(13);
    byte[] genuine = putGenuine(id, Duration.ofMinutes(30));
    nodeA.invalidate(id).get(10, TimeUnit.SECONDS);
    assertThat(lookupAsFreshNode(id, EnumSet.noneOf(OpenFailure.class))).isEqualTo(LookupResult.MISS);
    plant(TestKeys.storeKey(NAMESPACE, id), genuine);
    assertThat(lookupAsFreshNode(id, EnumSet.noneOf(OpenFailure.class))).isEqualTo(LookupResult.STORE_HIT);
    clock.advance(Duration.ofMinutes(31));
    lookupAsFreshNode(id, OpenFailure.EXPIRED);
  }

  /** The instant of the fake clock (for subclasses' TTL arithmetic). */
  protected Instant now() {
    return clock.instant();
  }
}
