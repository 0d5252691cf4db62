package io.github.shredcache.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.core.CacheStats;
import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.OpenFailure;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.core.SessionState;
import io.github.shredcache.core.SessionStore;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.memcached.RawMemcachedClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session caches of two nodes sharing one real memcached: what one node puts, the other opens;
 * values planted directly in memcached under live keys are misses with the right counter; and
 * nothing in memcached ever shows the plaintext state.
 */
class SharedStoreIT {
  Cluster cluster;
  FakeClock clock;
  SessionCache nodeA;
  RawMemcachedClient raw;

  @BeforeEach
  void start() {
    cluster = new Cluster(1);
    clock = new FakeClock(TestKeys.START);
    nodeA = cluster.node(clock);
    raw = cluster.raw(0);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void nodeBOpensWhatNodeAPut() throws Exception {
    SessionId id = TestKeys.sessionId(1);
    byte[] state = TestKeys.state(1, 200);
    nodeA.put(id, state, clock.instant().plus(Duration.ofMinutes(10)));
    cluster.awaitItems(1, Duration.ofSeconds(5));

    SessionCache nodeB = cluster.node(clock);
    assertThat(nodeB.peek(id)).as("nothing local on B before the lookup").isEmpty();
    assertThat(nodeB.lookup(id).get(5, TimeUnit.SECONDS)).isEqualTo(LookupResult.STORE_HIT);
    SessionState opened = nodeB.peek(id).orElseThrow();
    try {
      assertThat(opened.toByteArray()).containsExactly(state);
      assertThat(opened.source()).isEqualTo(SessionState.Source.STORE);
      assertThat(opened.expiresAt()).isEqualTo(TestKeys.START.plus(Duration.ofMinutes(10)));
    } finally {
      opened.destroy();
    }
    assertThat(nodeB.stats().storeHits()).isEqualTo(1);

    // B invalidates: the key is gone from memcached (the delete reports that it existed), so a
    // third node misses
    assertThat(nodeB.invalidate(id).get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(raw.keys()).isEmpty();
    assertThat(cluster.node(clock).lookup(id).get(5, TimeUnit.SECONDS)).isEqualTo(LookupResult.MISS);
  }

  @Test
  void aNodeOfAnotherKeyChainCannotOpenTheEntries() throws Exception {
    SessionId id = TestKeys.sessionId(2);
    nodeA.put(id, TestKeys.state(2, 100), clock.instant().plus(Duration.ofMinutes(10)));
    cluster.awaitItems(1, Duration.ofSeconds(5));
    SessionCache chainB = cluster.node(clock,
        TestKeys.builder(TestKeys.ratchetB(clock), clock, cluster.store()).namespace("test")
            .lookupTimeout(Cluster.TIMEOUT));
    assertThat(chainB.lookup(id).get(5, TimeUnit.SECONDS)).isEqualTo(LookupResult.MISS);
    assertThat(chainB.stats().openFailures(OpenFailure.AUTHENTICATION)).isEqualTo(1);
  }

  @Test
  void plantedValuesUnderLiveKeysAreMissesWithTheRightCounters() throws Exception {
    // Sessions 0..8 are put by node A; then their values in memcached are replaced, one way each.
    int n = 9;
    for (int i = 0; i < n; i++) {
      nodeA.put(TestKeys.sessionId(i), TestKeys.state(i, 150), clock.instant().plus(Duration.ofMinutes(10)));
    }
    // a foreign-namespace entry for session 3: sealed by a node of namespace "other", same keys
    SessionCache otherNamespace = cluster.node(clock,
        TestKeys.builderA(clock, cluster.store()).namespace("other").lookupTimeout(Cluster.TIMEOUT));
    otherNamespace.put(TestKeys.sessionId(3), TestKeys.state(3, 150), clock.instant().plus(Duration.ofMinutes(10)));
    cluster.awaitItems(n + 1, Duration.ofSeconds(5));
    Map<String, byte[]> genuine = raw.dump();
    assertThat(genuine).hasSize(n + 1);

    plant(0, v -> "garbage: this is not a sealed entry".getBytes(StandardCharsets.US_ASCII));
    plant(1, v -> java.util.Arrays.copyOf(v, 20)); // truncated inside the header
    plant(2, v -> java.util.Arrays.copyOf(v, v.length - 1)); // truncated tag
    raw.set(key(3), genuine.get(TestKeys.storeKey("other", TestKeys.sessionId(3))));
    plant(4, v -> {
      byte[] flipped = v.clone();
      flipped[flipped.length / 2] ^= 0x01;
      return flipped;
    });
    raw.set(key(5), genuine.get(key(6))); // session 6's entry moved under session 5's key
    plant(7, v -> new byte[SessionStore.MAX_VALUE_BYTES + 1]); // oversized
    plant(8, v -> new byte[0]); // empty

    SessionCache nodeB = cluster.node(clock);
    for (int i = 0; i < n; i++) {
      LookupResult r = nodeB.lookup(TestKeys.sessionId(i)).get(5, TimeUnit.SECONDS);
      assertThat(r).as("session %d", i).isEqualTo(i == 6 ? LookupResult.STORE_HIT : LookupResult.MISS);
    }
    CacheStats stats = nodeB.stats();
    assertThat(stats.openFailures(OpenFailure.MALFORMED)).as("garbage, header cut, empty").isEqualTo(3);
    assertThat(stats.openFailures(OpenFailure.AUTHENTICATION))
        .as("tag cut, other namespace, bit flip, moved").isEqualTo(4);
    assertThat(stats.openFailures(OpenFailure.OVERSIZED)).isEqualTo(1);
    assertThat(stats.misses()).isEqualTo(8);
    assertThat(stats.storeErrors()).as("garbage is not a store error").isZero();
  }

  @Test
  void expiredAndShreddedEntriesAreMissesWithTheirCounters() throws Exception {
    SessionId id = TestKeys.sessionId(9);
    nodeA.put(id, TestKeys.state(9, 100), clock.instant().plus(Duration.ofMinutes(5)));
    cluster.awaitItems(1, Duration.ofSeconds(5));

    FakeClock tenMinutesLater = new FakeClock(TestKeys.START.plus(Duration.ofMinutes(10)));
    SessionCache late = cluster.node(tenMinutesLater, TestKeys.builderA(tenMinutesLater, cluster.store())
        .namespace("test").lookupTimeout(Cluster.TIMEOUT));
    assertThat(late.lookup(id).get(5, TimeUnit.SECONDS)).isEqualTo(LookupResult.MISS);
    assertThat(late.stats().openFailures(OpenFailure.EXPIRED)).isEqualTo(1);

    // three epochs later the epoch key is erased on every node: the bytes in memcached are noise
    FakeClock threeHoursLater = new FakeClock(TestKeys.START.plus(Duration.ofHours(3)));
    SessionCache shredded = cluster.node(threeHoursLater, TestKeys.builderA(threeHoursLater, cluster.store())
        .namespace("test").lookupTimeout(Cluster.TIMEOUT));
    assertThat(shredded.lookup(id).get(5, TimeUnit.SECONDS)).isEqualTo(LookupResult.MISS);
    assertThat(shredded.stats().openFailures(OpenFailure.EPOCH_OUTSIDE_WINDOW)).isEqualTo(1);
  }

  @Test
  void memcachedNeverHoldsThePlaintextStateOrTheSessionId() throws Exception {
    int n = 50;
    byte[][] states = new byte[n][];
    for (int i = 0; i < n; i++) {
      // a recognisable "master secret" per session, plus the core's test state
      byte[] marker = ("MASTER-SECRET-" + i + "-").getBytes(StandardCharsets.US_ASCII);
      byte[] body = TestKeys.state(i, 100);
      states[i] = new byte[marker.length + body.length];
      System.arraycopy(marker, 0, states[i], 0, marker.length);
      System.arraycopy(body, 0, states[i], marker.length, body.length);
      nodeA.put(TestKeys.sessionId(i), states[i], clock.instant().plus(Duration.ofMinutes(10)));
    }
    cluster.awaitItems(n, Duration.ofSeconds(5));

    Map<String, byte[]> all = raw.dump();
    assertThat(all).hasSize(n);
    for (Map.Entry<String, byte[]> e : all.entrySet()) {
      byte[] value = e.getValue();
      assertThat(new String(value, StandardCharsets.ISO_8859_1)).doesNotContain("MASTER-SECRET");
      for (int i = 0; i < n; i++) {
        // no 8-byte window of any state, and no session ID, appears in any value
        for (int off = 0; off + 8 <= states[i].length; off += 4) {
          assertThat(indexOf(value, states[i], off, 8)).as("state %d bytes %d..%d", i, off, off + 8).isNegative();
        }
        byte[] id = TestKeys.sessionId(i).toByteArray();
        assertThat(indexOf(value, id, 0, id.length)).isNegative();
        assertThat(e.getKey())
            .doesNotContain(HexFormat.of().formatHex(id))
            .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(id).substring(0, 16));
      }
      assertThat(e.getKey()).startsWith("test:").hasSize("test:".length() + 43);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static String key(int session) throws Exception {
    return TestKeys.storeKey("test", TestKeys.sessionId(session));
  }

  private void plant(int session, UnaryOperator<byte[]> change) throws Exception {
    byte[] current = raw.getBytes(key(session)).orElseThrow();
    raw.set(key(session), change.apply(current));
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from, int length) {
    outer:
    for (int i = 0; i + length <= haystack.length; i++) {
      for (int j = 0; j < length; j++) {
        if (haystack[i + j] != needle[from + j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
