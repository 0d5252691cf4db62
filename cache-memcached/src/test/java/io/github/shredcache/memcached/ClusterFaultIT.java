package io.github.shredcache.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.shredcache.core.CacheStats;
import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.memcached.RawMemcachedClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three memcached servers under two session-cache nodes: the key split, then one server killed,
 * restarted and paused. The fault steps run in order on one cluster.
 *
 * <p>Budget: every lookup must complete within the lookup timeout ({@link Cluster#TIMEOUT}, long
 * because the machine running the tests is shared) plus {@link #SLACK}; the measured latencies
 * are printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultIT {
  static final int SESSIONS = 150;
  static final Duration LOOKUP_TIMEOUT = Cluster.TIMEOUT;
  static final Duration SLACK = Duration.ofMillis(250);

  static Cluster cluster;
  static FakeClock clock;
  static SessionCache nodeA;
  /**
   * Node B keeps one store (one spymemcached client) through every fault. Its front cache keeps
   * store hits for 1 ms of the fake clock, and each step advances the clock by a second, so every
   * lookup goes to memcached.
   */
  static SessionCache nodeB;
  static final List<SessionId> ids = new ArrayList<>();
  /** Which server (index) holds each session. */
  static final Map<SessionId, Integer> home = new HashMap<>();

  @BeforeAll
  static void putSessionsOnNodeA() throws Exception {
    cluster = new Cluster(3);
    clock = new FakeClock(TestKeys.START);
    nodeA = cluster.node(clock);
    for (int i = 0; i < SESSIONS; i++) {
      SessionId id = TestKeys.sessionId(i);
      ids.add(id);
      nodeA.put(id, TestKeys.state(i, 120), clock.instant().plus(Duration.ofMinutes(30)));
    }
    List<Integer> perServer = cluster.awaitItems(SESSIONS, Duration.ofSeconds(10));
    assertThat(perServer.stream().mapToInt(Integer::intValue).sum()).isEqualTo(SESSIONS);
    List<RawMemcachedClient> raws = List.of(cluster.raw(0), cluster.raw(1), cluster.raw(2));
    for (SessionId id : ids) {
      for (int s = 0; s < 3; s++) {
        if (raws.get(s).get(TestKeys.storeKey("test", id)).isPresent()) {
          home.put(id, s);
        }
      }
    }
    assertThat(home).as("every session found under its documented key").hasSize(SESSIONS);
    nodeB = cluster.node(clock,
        cluster.builder(clock).frontCacheTtl(Duration.ofMillis(1)));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void entriesSpreadOverAllServersAndAnotherNodeOpensThemAll() throws Exception {
    int[] split = new int[3];
    home.values().forEach(s -> split[s]++);
    System.out.printf("key split over 3 servers (%d sessions, Ketama): %d / %d / %d%n",
        SESSIONS, split[0], split[1], split[2]);
    for (int count : split) {
      assertThat(count).as("each server's share").isGreaterThan(SESSIONS / 10);
    }
    Result r = lookupAll(nodeB);
    assertThat(r.results).allMatch(x -> x == LookupResult.STORE_HIT);
    Result again = lookupAll(nodeB);
    assertThat(again.results).as("from memcached again, not the front cache")
        .allMatch(x -> x == LookupResult.STORE_HIT);
  }

  @Test
  @Order(2)
  void aKilledServerCostsOnlyItsShareAndNothingWaits() throws Exception {
    cluster.servers.get(1).kill();
    CacheStats before = nodeB.stats();
    Result r = lookupAll(nodeB);
    System.out.printf("server 1 killed: %d hits, %d misses; lookup latency p50 %.1f ms, max %.1f ms;"
            + " misses p50 %.1f ms%n", r.count(LookupResult.STORE_HIT), r.count(LookupResult.MISS),
        r.percentileMillis(50, null), r.maxMillis(), r.percentileMillis(50, LookupResult.MISS));
    for (int i = 0; i < SESSIONS; i++) {
      SessionId id = ids.get(i);
      assertThat(r.results.get(i))
          .as("session on server %d", home.get(id))
          .isEqualTo(home.get(id) == 1 ? LookupResult.MISS : LookupResult.STORE_HIT);
    }
    assertThat(r.maxMillis()).isLessThan((LOOKUP_TIMEOUT.plus(SLACK)).toMillis());
    CacheStats stats = nodeB.stats();
    assertThat(stats.misses() - before.misses()).isEqualTo(r.count(LookupResult.MISS));
    assertThat(stats.storeErrors() - before.storeErrors())
        .as("the dead server's share fails in the store").isEqualTo(share(1));

    SessionCache freshNode = cluster.node(clock); // a client started while the server is down
    Result fresh = lookupAll(freshNode);
    assertThat(fresh.count(LookupResult.MISS)).isEqualTo(share(1));
    assertThat(fresh.maxMillis()).isLessThan((LOOKUP_TIMEOUT.plus(SLACK)).toMillis());
  }

  @Test
  @Order(3)
  void aRestartedServerServesAgainWithoutRestartingTheClients() throws Exception {
    cluster.servers.get(1).restart(); // same port, empty
    long t0 = System.nanoTime();
    List<SessionId> share = ids.stream().filter(id -> home.get(id) == 1).toList();
    SessionId probe = share.get(0);
    // Each poll: A puts again (lost while its client reconnects), then B looks up what A put at
    // the previous poll, 50 ms ago.
    await("node A and node B reconnected").atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50)).pollInSameThread().until(() -> {
          nodeA.put(probe, TestKeys.state(ids.indexOf(probe), 120),
              clock.instant().plus(Duration.ofMinutes(30)));
          clock.advance(Duration.ofSeconds(1));
          return nodeB.lookup(probe).get(5, TimeUnit.SECONDS) == LookupResult.STORE_HIT;
        });
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("server 1 restarted: node B (same client) hits again after %.2f s%n", seconds);

    for (SessionId id : share) { // node A re-puts what the restart lost (it has them locally)
      nodeA.put(id, TestKeys.state(ids.indexOf(id), 120), clock.instant().plus(Duration.ofMinutes(30)));
    }
    assertThat(cluster.awaitItems(SESSIONS, Duration.ofSeconds(10)).get(1)).isEqualTo((int) share(1));
    Result r = lookupAll(nodeB);
    assertThat(r.results).allMatch(x -> x == LookupResult.STORE_HIT);
  }

  @Test
  @Order(4)
  void aPausedServerTimesOutAsMissesWithinTheBudget() throws Exception {
    cluster.servers.get(2).pause();
    try {
      CacheStats before = nodeB.stats();
      Result r = lookupAll(nodeB);
      System.out.printf("server 2 paused (SIGSTOP): %d hits, %d misses; misses p50 %.1f ms, max"
              + " %.1f ms (lookup timeout %d ms)%n", r.count(LookupResult.STORE_HIT),
          r.count(LookupResult.MISS), r.percentileMillis(50, LookupResult.MISS), r.maxMillis(),
          LOOKUP_TIMEOUT.toMillis());
      for (int i = 0; i < SESSIONS; i++) {
        SessionId id = ids.get(i);
        assertThat(r.results.get(i))
            .isEqualTo(home.get(id) == 2 ? LookupResult.MISS : LookupResult.STORE_HIT);
      }
      assertThat(r.maxMillis()).isLessThan((LOOKUP_TIMEOUT.plus(SLACK)).toMillis());
      assertThat(nodeB.stats().storeTimeouts() - before.storeTimeouts()).isEqualTo(share(2));
      // writes to the paused server fail in the background; put() itself returns at once
      long t0 = System.nanoTime();
      nodeA.put(ids.get(0), TestKeys.state(0, 120), clock.instant().plus(Duration.ofMinutes(5)));
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .as("put() does not wait for the paused server (timeout %s)", LOOKUP_TIMEOUT)
          .isLessThan(LOOKUP_TIMEOUT.dividedBy(2));
    } finally {
      cluster.servers.get(2).resume();
    }
    Result after = lookupAll(nodeB);
    assertThat(after.results).as("hits right after SIGCONT").allMatch(x -> x == LookupResult.STORE_HIT);
  }

  // ---------------------------------------------------------------------------------------------

  static long share(int server) {
    return home.values().stream().filter(s -> s == server).count();
  }

  /** Looks up every session at once; never lets an exception through. */
  static Result lookupAll(SessionCache node) throws Exception {
    clock.advance(Duration.ofSeconds(1)); // past the 1 ms front-cache TTL of store hits
    List<CompletableFuture<LookupResult>> futures = new ArrayList<>();
    long[] nanos = new long[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      long start = System.nanoTime();
      CompletableFuture<LookupResult> f = node.lookup(ids.get(i));
      int index = i;
      f.whenComplete((v, e) -> nanos[index] = System.nanoTime() - start);
      futures.add(f);
    }
    List<LookupResult> results = new ArrayList<>();
    for (CompletableFuture<LookupResult> f : futures) {
      results.add(f.get(5, TimeUnit.SECONDS)); // throws if a lookup ever completed exceptionally
    }
    return new Result(results, nanos);
  }

  static final class Result {
    final List<LookupResult> results;
    final long[] nanos;

    Result(List<LookupResult> results, long[] nanos) {
      this.results = results;
      this.nanos = nanos.clone();
    }

    long count(LookupResult r) {
      return results.stream().filter(x -> x == r).count();
    }

    double maxMillis() {
      return java.util.Arrays.stream(nanos).max().orElse(0) / 1e6;
    }

    /** The percentile of the latencies of lookups with result {@code only} (null: all). */
    double percentileMillis(int percentile, LookupResult only) {
      long[] selected = java.util.stream.IntStream.range(0, nanos.length)
          .filter(i -> only == null || results.get(i) == only)
          .mapToLong(i -> nanos[i]).sorted().toArray();
      if (selected.length == 0) {
        return 0;
      }
      int index = Math.min(selected.length - 1, (int) Math.ceil(percentile / 100.0 * selected.length) - 1);
      return selected[Math.max(0, index)] / 1e6;
    }
  }
}
