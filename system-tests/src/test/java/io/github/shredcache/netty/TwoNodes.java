package io.github.shredcache.netty;

import static org.awaitility.Awaitility.await;

import io.github.shredcache.core.SessionCache;
import io.github.shredcache.memcached.MemcachedSessionStore;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.memcached.RawMemcachedClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Two nodes of one cluster as a framework would run them: one real memcached, one key chain, and
 * per node its own memcached client, {@link SessionCache} and {@link ShredcacheSslContext}. The
 * prefetch timeout is generous so that a loaded machine cannot turn a store hit into a miss.
 */
final class TwoNodes implements AutoCloseable {
  final MemcachedProcess memcached;
  final SessionCache cacheA;
  final SessionCache cacheB;
  private final TestCertificate cert;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  TwoNodes() throws Exception {
    cert = TestPki.localhost();
    memcached = MemcachedProcess.start();
    String token = TestKeys.newToken(Duration.ofHours(1));
    cacheA = cache(token);
    cacheB = cache(token);
  }

  private SessionCache cache(String token) {
    MemcachedSessionStore store = MemcachedSessionStore.builder().servers(memcached.address())
        .operationTimeout(Duration.ofSeconds(2)).build();
    SessionCache cache = TestKeys.realTimeCache(token, store, Duration.ofSeconds(2));
    closeables.add(0, store);
    closeables.add(0, cache);
    return cache;
  }

  /** Node A's context, with ALPN {@code alpn} if any. */
  ShredcacheSslContext contextA(String... alpn) throws SSLException {
    return context(cacheA, alpn);
  }

  /** Node B's context, with ALPN {@code alpn} if any. */
  ShredcacheSslContext contextB(String... alpn) throws SSLException {
    return context(cacheB, alpn);
  }

  private ShredcacheSslContext context(SessionCache cache, String... alpn) throws SSLException {
    ShredcacheSslContextBuilder b = ShredcacheSslContextBuilder
        .forServer(cert.certificateFile(), cert.privateKeyFile())
        .sessionCache(cache);
    if (alpn.length > 0) {
      b.applicationProtocols(alpn);
    }
    return b.build();
  }

  /**
   * Waits until memcached holds at least one entry: node A writes it asynchronously after the
   * handshake, and a client that comes straight back to node B may be faster.
   */
  void awaitAnEntryInMemcached() {
    try (RawMemcachedClient raw = memcached.raw()) {
      await("an entry in memcached").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(5)).pollInSameThread().until(() -> !raw.keys().isEmpty());
    }
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    memcached.close();
    cert.close();
  }
}
