package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.core.SessionStore;
import io.github.shredcache.memcached.MemcachedSessionStore;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.memcached.RawMemcachedClient;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.handler.ssl.ClientAuth;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions are bound to the TLS context and server name that made them. Nodes share one real
 * memcached and one key chain, so every node can open every session; a node whose context differs
 * (server certificate, client authentication mode, client CAs) or a client that names another
 * server must get a full handshake ("New", which then succeeds or fails as a fresh handshake
 * would), never an alert for the session. Each case has a control: the same session on a node
 * with the same context is "Reused". Each negative case also checks that the node did fetch and
 * open the entry from memcached (a store hit), so it is the binding that turned it down.
 */
class ContextBindingIT {
  private static final Pattern SESSION_ID = Pattern.compile("Session-ID: ([0-9A-F]{64})");

  static TestPki.Cast pki;
  static MemcachedProcess memcached;
  static RawMemcachedClient raw;

  @TempDir Path dir;
  private String token;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** One node: its own cache and memcached client, its own context and port. */
  record Node(TlsTestServer<Resumption> server, SessionCache cache) {
    int port() {
      return server.port();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.Cast.create();
    memcached = MemcachedProcess.start();
    raw = memcached.raw();
  }

  @AfterAll
  static void stop() throws Exception {
    if (raw != null) {
      raw.close();
    }
    if (memcached != null) {
      memcached.close();
    }
  }

  @BeforeEach
  void newChain() {
    token = TestKeys.newToken(Duration.ofHours(1));
  }

  @AfterEach
  void stopNodes() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private Node node(TestCertificate server, ClientAuth auth, TestCertificate clientCa)
      throws Exception {
    SessionStore store = MemcachedSessionStore.builder().servers(memcached.address())
        .operationTimeout(Duration.ofSeconds(2)).build();
    SessionCache cache = TestKeys.realTimeCache(token, store, Duration.ofSeconds(2));
    ShredcacheSslContextBuilder b = ShredcacheSslContextBuilder
        .forServer(server.privateKey(), server.certificate()).sessionCache(cache);
    if (auth != ClientAuth.NONE) {
      b.clientAuth(auth).trustManager(clientCa.certificate());
    }
    TlsTestServer<Resumption> s = TlsTestServer.start(b.build(), ShredcacheSslContext::resumption);
    closeables.add(0, store);
    closeables.add(0, cache);
    closeables.add(0, s);
    return new Node(s, cache);
  }

  /** A full handshake that writes the session to {@code sess}; waits until memcached has it. */
  private void fullHandshake(Node node, String serverName, Path sess, String... extra)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("-tls1_2", "-sess_out", sess.toString()));
    args.addAll(List.of(extra));
    String out = OpenSslClient.to(node.port()).serverName(serverName).args(args.toArray(new String[0])).run().output();
    assertThat(out).as(out).contains("New, TLSv1.2");
    TlsTestServer.Handshake<Resumption> h = node.server().nextHandshake();
    assertThat(h.success()).as(String.valueOf(h.cause())).isTrue();
    assertThat(h.resumption()).isEqualTo(Resumption.FULL);
    Matcher id = SESSION_ID.matcher(out);
    assertThat(id.find()).as(out).isTrue();
    awaitInMemcached(id.group(1));
  }

  /** A full handshake with {@code client}'s certificate; returns the session file. */
  private Path sessionWithCertificate(Node node, TestCertificate client, String name)
      throws Exception {
    Path[] pem = client.writePem(dir, name);
    Path sess = dir.resolve(name + ".session");
    fullHandshake(node, "localhost", sess, "-cert", pem[0].toString(), "-key",
        pem[1].toString());
    return sess;
  }

  /** A fresh handshake on {@code node} that failed (and not with internal_error). */
  private static void assertFreshHandshakeFailed(Node node) throws InterruptedException {
    TlsTestServer.Handshake<Resumption> h = node.server().nextHandshake();
    assertThat(h.success()).isFalse();
    assertThat(h.peer()).isNull();
    assertThat(String.valueOf(h.cause().getMessage())).doesNotContain("internal_error");
  }

  /** A full handshake on {@code node} that succeeded without a client identity. */
  private static void assertFreshHandshakeSucceeded(Node node) throws InterruptedException {
    TlsTestServer.Handshake<Resumption> h = node.server().nextHandshake();
    assertThat(h.success()).as(String.valueOf(h.cause())).isTrue();
    assertThat(h.resumption()).isEqualTo(Resumption.FULL);
    assertThat(h.peer()).as("no client identity carried over").isNull();
  }

  private static void awaitInMemcached(String sessionIdHex) throws Exception {
    String key = TestKeys.storeKey("it", SessionId.of(HexFormat.of().parseHex(sessionIdHex)));
    await("the session in memcached").atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10)).pollInSameThread()
        .until(() -> raw.getBytes(key).isPresent());
  }

  private static String offer(Node node, String serverName, Path sess, String... extra)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("-tls1_2", "-sess_in", sess.toString()));
    args.addAll(List.of(extra));
    return OpenSslClient.to(node.port()).serverName(serverName).args(args.toArray(new String[0])).run().output();
  }

  /** The node fetched the offered session from memcached, opened it, and did not resume it. */
  private static void assertDeclined(Node node, String out) {
    assertThat(out).as(out).contains("New, ").doesNotContain("Reused, ");
    assertThat(node.cache().stats().storeHits()).as("the entry was fetched and opened")
        .isEqualTo(1);
  }

  private static void assertResumed(Node node, String out) throws InterruptedException {
    assertThat(out).as(out).contains("Reused, TLSv1.2");
    TlsTestServer.Handshake<Resumption> h = node.server().nextHandshake();
    assertThat(h.success()).isTrue();
    assertThat(h.resumption()).isEqualTo(Resumption.RESUMED_SHARED);
  }

  @Test
  void sessionOfAContextTrustingCaXDoesNotResumeOnAContextTrustingCaY() throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    Node x = node(pki.serverOne(), ClientAuth.REQUIRE, pki.caX());
    Node y = node(pki.serverOne(), ClientAuth.REQUIRE, pki.caY());
    Path sess = sessionWithCertificate(x, pki.clientX(), "client-x");

    // On Y, without a client certificate: a fresh handshake, refused because Y requires one.
    assertDeclined(y, offer(y, "localhost", sess));
    assertFreshHandshakeFailed(y);

    // Control: another node of context X resumes it, and knows the client.
    Node x2 = node(pki.serverOne(), ClientAuth.REQUIRE, pki.caX());
    String control = offer(x2, "localhost", sess);
    assertThat(control).as(control).contains("Reused, TLSv1.2");
    TlsTestServer.Handshake<Resumption> resumed = x2.server().nextHandshake();
    assertThat(resumed.resumption()).isEqualTo(Resumption.RESUMED_SHARED);
    assertThat(resumed.peer()).contains("CN=client of X");
  }

  @Test
  void sessionOfOneServerCertificateDoesNotResumeUnderAnother() throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    Node one = node(pki.serverOne(), ClientAuth.NONE, null);
    Node two = node(pki.serverTwo(), ClientAuth.NONE, null);
    Path sess = dir.resolve("one.pem");
    fullHandshake(one, "localhost", sess);

    String out = offer(two, "localhost", sess);
    assertDeclined(two, out);
    assertThat(out).contains("CN = two.test");
    assertFreshHandshakeSucceeded(two);

    Node oneAgain = node(pki.serverOne(), ClientAuth.NONE, null);
    assertResumed(oneAgain, offer(oneAgain, "localhost", sess));
  }

  @Test
  void sessionResumesOnlyUnderTheServerNameItWasMadeFor() throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    Node a = node(pki.serverOne(), ClientAuth.NONE, null);
    Node b = node(pki.serverOne(), ClientAuth.NONE, null);
    Path sess = dir.resolve("a.pem");
    fullHandshake(a, "a.test", sess);

    assertDeclined(b, offer(b, "b.test", sess));
    assertFreshHandshakeSucceeded(b);

    // No name at all is another name too (RFC 6066 3).
    Node c = node(pki.serverOne(), ClientAuth.NONE, null);
    assertDeclined(c, offer(c, null, sess));
    assertFreshHandshakeSucceeded(c);

    // Control: the same name, on a node that has not seen the session, in another letter case.
    Node d = node(pki.serverOne(), ClientAuth.NONE, null);
    assertResumed(d, offer(d, "A.Test", sess));
  }

  @Test
  void sessionWithAClientCertificateDoesNotResumeWhereClientAuthenticationIsOff()
      throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    Node require = node(pki.serverOne(), ClientAuth.REQUIRE, pki.caX());
    Node none = node(pki.serverOne(), ClientAuth.NONE, null);
    Path sess = sessionWithCertificate(require, pki.clientX(), "client-x");

    assertDeclined(none, offer(none, "localhost", sess));
    assertFreshHandshakeSucceeded(none);

    // And the other way: a session made without client authentication, offered where it is
    // required, is a fresh handshake that fails for want of a certificate.
    Path anonymous = dir.resolve("none.pem");
    fullHandshake(none, "localhost", anonymous);
    Node require2 = node(pki.serverOne(), ClientAuth.REQUIRE, pki.caX());
    assertDeclined(require2, offer(require2, "localhost", anonymous));
    assertFreshHandshakeFailed(require2);
  }

  @Test
  void storedClientCertificateIsCheckedAgainOnResumption() throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    TestCertificate shortLived = TestPki.issue(pki.caX(), "short-lived client", Duration.ofSeconds(4));
    Node x = node(pki.serverOne(), ClientAuth.REQUIRE, pki.caX());
    Path sess = sessionWithCertificate(x, shortLived, "short");

    // Let the client certificate expire (the passing of time is what is tested); same context,
    // so only the re-validation of the stored chain can turn the session down.
    Instant expired = shortLived.certificate().getNotAfter().toInstant().plusSeconds(1);
    Duration left = Duration.between(Instant.now(), expired);
    assertThat(left).as("the certificate expires within seconds").isLessThan(Duration.ofSeconds(15));
    if (!left.isNegative()) {
      Thread.sleep(left.toMillis());
    }
    Node x2 = node(pki.serverOne(), ClientAuth.REQUIRE, pki.caX());
    assertDeclined(x2, offer(x2, "localhost", sess));
    assertFreshHandshakeFailed(x2);
  }
}
