package io.github.shredcache.netty;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.memcached.MemcachedSessionStore;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Nodes of one cluster for the reliability ITs: each node is a {@link TlsTestServer} with its own
 * {@link SessionCache} (own front cache, own {@link MemcachedSessionStore}) on a shared memcached,
 * all started from one key token. Timeouts are generous: on a loaded machine a slow memcached
 * answer must not pass for a rejected entry.
 */
final class ReliabilityCluster implements AutoCloseable {
  /** The one cipher suite {@link #probe} offers. */
  static final String PROBE_CIPHER = "ECDHE-ECDSA-AES128-GCM-SHA256";
  /** The IANA number of {@link #PROBE_CIPHER}. */
  static final int PROBE_CIPHER_ID = 0xC02B;

  final String namespace;
  final Duration lifetime;
  private final String memcached;
  private final String token;
  private final TestCertificate cert;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** A started node. */
  record Node(TlsTestServer<Resumption> server, SessionCache cache, KeyRatchet keys) {
    int port() {
      return server.port();
    }
  }

  ReliabilityCluster(String memcached, String namespace, Duration lifetime) throws Exception {
    this(memcached, namespace, lifetime, TestKeys.newToken(Duration.ofHours(1)));
  }

  /** A cluster whose nodes start from {@code token} (text form; the caller keeps its copy). */
  ReliabilityCluster(String memcached, String namespace, Duration lifetime, String token)
      throws Exception {
    this.memcached = memcached;
    this.namespace = namespace;
    this.lifetime = lifetime;
    this.token = token;
    this.cert = TestPki.localhost();
  }

  Node startNode() throws Exception {
    return startNode(token);
  }

  /** A node of another cluster: same namespace and memcached, its own key chain. */
  Node startForeignNode() throws Exception {
    return startNode(TestKeys.newToken(Duration.ofHours(1)));
  }

  private Node startNode(String tokenText) throws Exception {
    KeyRatchet keys = KeyRatchet.fromToken(
        KeyToken.parse(tokenText, InstantSource.system()), lifetime, InstantSource.system());
    MemcachedSessionStore store = MemcachedSessionStore.builder().servers(memcached)
        .operationTimeout(Duration.ofSeconds(2)).build();
    SessionCache cache = SessionCache.builder().keys(keys).store(store).namespace(namespace)
        .build();
    ShredcacheSslContext ssl = ShredcacheSslContextBuilder
        .forServer(cert.certificateFile(), cert.privateKeyFile())
        .sessionCache(cache).build();
    TlsTestServer<Resumption> server = TlsTestServer.start(ssl, ShredcacheSslContext::resumption);
    closeables.add(0, keys);
    closeables.add(0, store);
    closeables.add(0, cache);
    closeables.add(0, server);
    return new Node(server, cache, keys);
  }

  /**
   * One {@code openssl s_client} TLS 1.2 connection to a node (input closed at once), offering the
   * session in {@code sessionIn} and writing its session to {@code sessionOut} (either may be
   * null), with the master secret from the key log: the client's view of a session.
   *
   * @throws AssertionError if the handshake did not complete
   */
  static OpenSslClient.Result probe(int port, Path sessionIn, Path sessionOut)
      throws IOException, InterruptedException {
    return OpenSslClient.to(port).args("-tls1_2", "-cipher", PROBE_CIPHER).keyLog()
        .sessionIn(sessionIn).sessionOut(sessionOut).handshake();
  }

  /** The context binding of this cluster's sessions for clients that sent {@code serverName}. */
  byte[] binding(String serverName) {
    return ResumptionContext.of(new java.security.cert.X509Certificate[] {cert.certificate()},
        io.netty.handler.ssl.ClientAuth.NONE).bind(serverName);
  }

  /** The memcached key of a session ID (hex from openssl), as docs/ARCHITECTURE.md fixes it. */
  String storeKey(String sessionIdHex) {
    return TestKeys.storeKey(namespace, SessionId.of(HexFormat.of().parseHex(sessionIdHex)));
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    cert.close();
  }
}
