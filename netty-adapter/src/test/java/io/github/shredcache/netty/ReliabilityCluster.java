package io.github.shredcache.netty;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.memcached.MemcachedSessionStore;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Nodes of one cluster for the reliability ITs: each node is a {@link TestServer} with its own
 * {@link SessionCache} (own front cache, own {@link MemcachedSessionStore}) on a shared memcached,
 * all started from one key token. Timeouts are generous: on a loaded machine a slow memcached
 * answer must not pass for a rejected entry.
 */
final class ReliabilityCluster implements AutoCloseable {
  final String namespace;
  final Duration lifetime;
  private final String memcached;
  private final String token;
  private final SelfSignedCertificate cert;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** A started node. */
  record Node(TestServer server, SessionCache cache, KeyRatchet keys) {
    int port() {
      return server.port();
    }
  }

  ReliabilityCluster(String memcached, String namespace, Duration lifetime) throws Exception {
    this(memcached, namespace, lifetime, newToken(Duration.ofHours(1)));
  }

  /** A cluster whose nodes start from {@code token} (text form; the caller keeps its copy). */
  ReliabilityCluster(String memcached, String namespace, Duration lifetime, String token)
      throws Exception {
    this.memcached = memcached;
    this.namespace = namespace;
    this.lifetime = lifetime;
    this.token = token;
    this.cert = SelfSignedCertificate.builder().fqdn("localhost").algorithm("EC").bits(256).build();
  }

  Node startNode() throws Exception {
    return startNode(token);
  }

  /** A node of another cluster: same namespace and memcached, its own key chain. */
  Node startForeignNode() throws Exception {
    return startNode(newToken(Duration.ofHours(1)));
  }

  /** A new chain's token as text: the test's own copy, base64 (not the raw state). */
  static String newToken(Duration epochLength) {
    KeyToken t = KeyToken.generate(epochLength, InstantSource.system());
    try {
      return t.encode();
    } finally {
      t.destroy();
    }
  }

  private Node startNode(String tokenText) throws Exception {
    KeyRatchet keys = KeyRatchet.fromToken(
        KeyToken.parse(tokenText, InstantSource.system()), lifetime, InstantSource.system());
    MemcachedSessionStore store = MemcachedSessionStore.builder().servers(memcached)
        .operationTimeout(Duration.ofSeconds(2)).build();
    SessionCache cache = SessionCache.builder().keys(keys).store(store).namespace(namespace)
        .build();
    ShredcacheSslContext ssl = ShredcacheSslContextBuilder
        .forServer(cert.certificate(), cert.privateKey())
        .sessionCache(cache).build();
    TestServer server = TestServer.start(ssl);
    closeables.add(0, keys);
    closeables.add(0, store);
    closeables.add(0, cache);
    closeables.add(0, server);
    return new Node(server, cache, keys);
  }

  /** The context binding of this cluster's sessions for clients that sent {@code serverName}. */
  byte[] binding(String serverName) {
    return ResumptionContext.of(new java.security.cert.X509Certificate[] {cert.cert()},
        io.netty.handler.ssl.ClientAuth.NONE).bind(serverName);
  }

  /** The memcached key of a session ID (hex from openssl), as docs/ARCHITECTURE.md fixes it. */
  String storeKey(String sessionIdHex) throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(HexFormat.of().parseHex(sessionIdHex));
    return namespace + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    cert.delete();
  }
}
