package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.core.SessionCache;
import io.github.shredcache.testing.net.Balancer;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.JdkTlsClient;
import io.github.shredcache.testing.tls.OpenSslClient;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two plain Netty nodes ({@code pipeline.addLast(ctx.newHandler(ch.alloc()))}, one event loop each)
 * sharing a real memcached and a key chain: a session made on one resumes on the other.
 */
class CrossNodeIT {
  TwoNodes nodes;
  SessionCache cacheB;
  TlsTestServer<Resumption> nodeA;
  TlsTestServer<Resumption> nodeB;

  @TempDir Path tmp;

  @BeforeEach
  void startNodes() throws Exception {
    nodes = new TwoNodes();
    cacheB = nodes.cacheB;
    nodeA = TlsTestServer.start(nodes.contextA(), ShredcacheSslContext::resumption);
    nodeB = TlsTestServer.start(nodes.contextB(), ShredcacheSslContext::resumption);
  }

  @AfterEach
  void stopNodes() throws Exception {
    nodeA.close();
    nodeB.close();
    nodes.close();
  }

  @Test
  void opensslSessionsFromNodeAResumeOnNodeB() throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    CrossNodeClients.assertOpensslResumesAtoB(nodeA.port(), nodeB.port(), tmp, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(nodeA.nextHandshake().resumption()).isEqualTo(Resumption.FULL);
      TlsTestServer.Handshake<Resumption> h = nodeB.nextHandshake();
      assertThat(h.success()).isTrue();
      assertThat(h.resumption()).isEqualTo(Resumption.RESUMED_SHARED);
    }
  }

  @Test
  void clientWithoutTheStoredCipherSuiteGetsAFullHandshake() throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    String sess = tmp.resolve("s.pem").toString();
    String first = OpenSslClient.to(nodeA.port()).args("-tls1_2", "-sess_out", sess, "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384").run().output();
    assertThat(first).contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384");
    nodeA.nextHandshake();

    String second = OpenSslClient.to(nodeB.port()).args("-tls1_2", "-sess_in", sess, "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256").run().output();
    assertThat(second).contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256");
    assertThat(second).doesNotContain("alert");
    TlsTestServer.Handshake<Resumption> h = nodeB.nextHandshake();
    assertThat(h.success()).isTrue();
    assertThat(h.resumption()).isEqualTo(Resumption.FULL);
    // The client did offer the session: node B fetched it from the store, then declined it.
    assertThat(cacheB.stats().storeHits()).isEqualTo(1);
  }

  @Test
  void jdkClientBehindRoundRobinBalancerResumesOnTheOtherNode() throws Exception {
    try (Balancer lb = Balancer.start(List.of(nodeA.port(), nodeB.port()))) {
      SSLContext client = JdkTlsClient.trustingAnyServer();
      byte[] payload = "GET / HTTP/1.1\r\n\r\n".getBytes();
      assertThat(JdkTlsClient.echo(client, lb.port(), "TLSv1.2", payload))
          .isEqualTo(payload);
      TlsTestServer.Handshake<Resumption> onA = nodeA.nextHandshake();
      assertThat(onA.resumption()).isEqualTo(Resumption.FULL);
      nodes.awaitAnEntryInMemcached(); // node A writes asynchronously; the client comes back at once

      assertThat(JdkTlsClient.echo(client, lb.port(), "TLSv1.2", payload))
          .isEqualTo(payload);
      TlsTestServer.Handshake<Resumption> onB = nodeB.nextHandshake();
      assertThat(onB.success()).isTrue();
      assertThat(onB.resumption()).isEqualTo(Resumption.RESUMED_SHARED);
      assertThat(nodeA.pendingHandshakes()).isEmpty();
    }
  }
}
