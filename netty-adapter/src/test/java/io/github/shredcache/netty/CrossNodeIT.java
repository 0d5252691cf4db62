package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionStore;
import io.github.shredcache.memcached.MemcachedSessionStore;
import io.github.shredcache.memcached.testing.MemcachedProcess;
import io.github.shredcache.memcached.testing.RawMemcachedClient;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes (two contexts, two ports, one event loop each) sharing a real memcached and a key
 * chain: a session made on one resumes on the other.
 */
class CrossNodeIT {
  static SelfSignedCertificate cert;
  SessionCache cacheA;
  SessionCache cacheB;
  TestServer nodeA;
  TestServer nodeB;

  @TempDir Path tmp;

  MemcachedProcess memcached;

  private final List<SessionStore> stores = new ArrayList<>();

  /** A node's store: one memcached shared by all nodes, one client per node as in production. */
  private SessionStore nodeStore() {
    SessionStore s = MemcachedSessionStore.builder().servers(memcached.address()).build();
    stores.add(s);
    return s;
  }

  @BeforeAll
  static void certs() throws Exception {
    cert = SelfSignedCertificate.builder().fqdn("localhost").algorithm("EC").bits(256).build();
  }

  @AfterAll
  static void deleteCerts() {
    cert.delete();
  }

  @BeforeEach
  void startNodes() throws Exception {
    memcached = MemcachedProcess.start();
    String token = Nodes.newToken();
    // Generous timeouts: on a loaded machine a slow answer must not pass for a missing session.
    cacheA = Nodes.cache(token, nodeStore(), Duration.ofSeconds(2));
    cacheB = Nodes.cache(token, nodeStore(), Duration.ofSeconds(2));
    nodeA = TestServer.start(ShredcacheSslContextBuilder
        .forServer(cert.certificate(), cert.privateKey()).sessionCache(cacheA)
        .prefetchTimeout(Duration.ofSeconds(2)).build());
    nodeB = TestServer.start(ShredcacheSslContextBuilder
        .forServer(cert.certificate(), cert.privateKey()).sessionCache(cacheB)
        .prefetchTimeout(Duration.ofSeconds(2)).build());
  }

  @AfterEach
  void stopNodes() throws Exception {
    nodeA.close();
    nodeB.close();
    cacheA.close();
    cacheB.close();
    stores.forEach(SessionStore::close);
    memcached.close();
  }

  private void awaitOneEntryInMemcached() throws InterruptedException {
    try (RawMemcachedClient raw = memcached.raw()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (raw.keys().isEmpty()) {
        assertThat(System.nanoTime()).as("no entry reached memcached").isLessThan(deadline);
        Thread.sleep(5);
      }
    }
  }

  @Test
  void opensslSessionFromNodeAResumesOnNodeB() throws Exception {
    assumeTrue(OpenSslCli.available(), "openssl CLI missing");
    String sess = tmp.resolve("s.pem").toString();
    String first = OpenSslCli.sClient(nodeA.port(), "-tls1_2", "-sess_out", sess);
    assertThat(first).contains("New, TLSv1.2");
    assertThat(nodeA.nextHandshake().resumption()).isEqualTo(Resumption.FULL);
    assertThat(Files.size(Path.of(sess))).isPositive();

    String second = OpenSslCli.sClient(nodeB.port(), "-tls1_2", "-sess_in", sess);
    assertThat(second).contains("Reused, TLSv1.2");
    TestServer.Handshake h = nodeB.nextHandshake();
    assertThat(h.success()).isTrue();
    assertThat(h.resumption()).isEqualTo(Resumption.RESUMED_SHARED);
  }

  @Test
  void clientWithoutTheStoredCipherSuiteGetsAFullHandshake() throws Exception {
    assumeTrue(OpenSslCli.available(), "openssl CLI missing");
    String sess = tmp.resolve("s.pem").toString();
    String first = OpenSslCli.sClient(nodeA.port(), "-tls1_2", "-sess_out", sess,
        "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384");
    assertThat(first).contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384");
    nodeA.nextHandshake();

    String second = OpenSslCli.sClient(nodeB.port(), "-tls1_2", "-sess_in", sess,
        "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
    assertThat(second).contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256");
    assertThat(second).doesNotContain("alert");
    TestServer.Handshake h = nodeB.nextHandshake();
    assertThat(h.success()).isTrue();
    assertThat(h.resumption()).isEqualTo(Resumption.FULL);
    // The client did offer the session: node B fetched it from the store, then declined it.
    assertThat(cacheB.stats().storeHits()).isEqualTo(1);
  }

  @Test
  void jdkClientBehindRoundRobinBalancerResumesOnTheOtherNode() throws Exception {
    try (Balancer lb = new Balancer(List.of(nodeA.port(), nodeB.port()))) {
      SSLContext client = JdkClientResumptionTest.jdkClient();
      byte[] payload = "GET / HTTP/1.1\r\n\r\n".getBytes();
      assertThat(JdkClientResumptionTest.echo(client, lb.port(), "TLSv1.2", payload))
          .isEqualTo(payload);
      TestServer.Handshake onA = nodeA.nextHandshake();
      assertThat(onA.resumption()).isEqualTo(Resumption.FULL);
      awaitOneEntryInMemcached(); // node A writes asynchronously; the client comes back at once

      assertThat(JdkClientResumptionTest.echo(client, lb.port(), "TLSv1.2", payload))
          .isEqualTo(payload);
      TestServer.Handshake onB = nodeB.nextHandshake();
      assertThat(onB.success()).isTrue();
      assertThat(onB.resumption()).isEqualTo(Resumption.RESUMED_SHARED);
      assertThat(Arrays.asList(nodeA.handshakes.toArray())).isEmpty();
    }
  }
}
