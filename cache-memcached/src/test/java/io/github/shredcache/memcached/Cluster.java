package io.github.shredcache.memcached;

import static org.awaitility.Awaitility.await;

import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionCacheBuilder;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.memcached.RawMemcachedClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Test support: n real memcached servers, stores and session-cache "nodes" on them, all closed
 * together.
 */
final class Cluster implements AutoCloseable {
  final List<MemcachedProcess> servers = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  Cluster(int n) {
    try {
      for (int i = 0; i < n; i++) {
        servers.add(MemcachedProcess.start());
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  String serverList() {
    return servers.stream().map(MemcachedProcess::address).collect(Collectors.joining(","));
  }

  /**
   * Test timeouts: the machine that runs the tests is shared (2 cores, load averages of 10-20 seen),
   * so a 50 ms timeout would turn healthy servers into misses. The fault tests check behaviour
   * relative to this timeout; production uses the 50 ms defaults.
   */
  static final Duration TIMEOUT = Duration.ofSeconds(1);

  /** A new store on all servers (each node of a real cluster has its own client). */
  MemcachedSessionStore store() {
    MemcachedSessionStore store =
        MemcachedSessionStore.builder().servers(serverList()).operationTimeout(TIMEOUT).build();
    closeables.add(store);
    return store;
  }

  /** A new node with chain A's keys in namespace "test", on its own store, with an empty front cache. */
  SessionCache node(InstantSource clock) {
    return node(clock, builder(clock));
  }

  /** Chain A, namespace "test", a new store, lookup timeout {@link #TIMEOUT}. */
  SessionCacheBuilder builder(InstantSource clock) {
    return TestKeys.builderA(clock, store()).namespace("test").lookupTimeout(TIMEOUT);
  }

  SessionCache node(InstantSource clock, SessionCacheBuilder builder) {
    SessionCache cache = builder.build();
    closeables.add(cache);
    return cache;
  }

  /** A raw text-protocol client on server {@code i}, closed with the cluster. */
  RawMemcachedClient raw(int i) {
    RawMemcachedClient raw = servers.get(i).raw();
    closeables.add(raw);
    return raw;
  }

  /** Waits until the servers hold {@code count} items in total; returns the items per server. */
  List<Integer> awaitItems(int count, Duration max) {
    return await(count + " items on the servers").atMost(max).pollInterval(Duration.ofMillis(20))
        .pollInSameThread()
        .until(this::itemsPerServer, perServer -> perServer.stream().mapToInt(i -> i).sum() >= count);
  }

  List<Integer> itemsPerServer() {
    List<Integer> counts = new ArrayList<>();
    for (MemcachedProcess server : servers) {
      if (!server.isAlive()) {
        counts.add(0);
        continue;
      }
      try (RawMemcachedClient raw = server.raw()) {
        counts.add(Integer.parseInt(raw.stats().get("curr_items")));
      }
    }
    return counts;
  }

  @Override
  public void close() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception ignored) {
        // close everything else
      }
    }
    for (MemcachedProcess server : servers) {
      server.close();
    }
  }
}
