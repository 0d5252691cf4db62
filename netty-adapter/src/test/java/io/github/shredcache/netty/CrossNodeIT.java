package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionStore;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Two nodes (two contexts, two ports, one event loop each) sharing a store and a key chain: a
 * session made on one resumes on the other.
 */
abstract class CrossNodeIT {
  static SelfSignedCertificate cert;
  SessionStore store;
  SessionCache cacheA;
  SessionCache cacheB;
  TestServer nodeA;
  TestServer nodeB;

  @TempDir Path tmp;

  /** The store both nodes share. */
  abstract SessionStore newStore() throws Exception;

  abstract void closeStore() throws Exception;

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
    store = newStore();
    String token = Nodes.newToken();
    cacheA = Nodes.cache(token, store);
    cacheB = Nodes.cache(token, store);
    nodeA = TestServer.start(ShredcacheSslContextBuilder
        .forServer(cert.certificate(), cert.privateKey()).sessionCache(cacheA).build());
    nodeB = TestServer.start(ShredcacheSslContextBuilder
        .forServer(cert.certificate(), cert.privateKey()).sessionCache(cacheB).build());
  }

  @AfterEach
  void stopNodes() throws Exception {
    nodeA.close();
    nodeB.close();
    cacheA.close();
    cacheB.close();
    closeStore();
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

      assertThat(JdkClientResumptionTest.echo(client, lb.port(), "TLSv1.2", payload))
          .isEqualTo(payload);
      TestServer.Handshake onB = nodeB.nextHandshake();
      assertThat(onB.success()).isTrue();
      assertThat(onB.resumption()).isEqualTo(Resumption.RESUMED_SHARED);
      assertThat(Arrays.asList(nodeA.handshakes.toArray())).isEmpty();
    }
  }

  /** Both nodes on one in-memory store (the same flows without memcached). */
  static class InMemory extends CrossNodeIT {
    @Override
    SessionStore newStore() {
      return new InMemorySessionStore();
    }

    @Override
    void closeStore() {}
  }
}
