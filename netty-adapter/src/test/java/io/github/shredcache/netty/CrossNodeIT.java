package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.core.SessionCache;
import java.nio.file.Path;
import java.util.Arrays;
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
  TestServer nodeA;
  TestServer nodeB;

  @TempDir Path tmp;

  @BeforeEach
  void startNodes() throws Exception {
    nodes = new TwoNodes();
    cacheB = nodes.cacheB;
    nodeA = TestServer.start(nodes.contextA());
    nodeB = TestServer.start(nodes.contextB());
  }

  @AfterEach
  void stopNodes() throws Exception {
    nodeA.close();
    nodeB.close();
    nodes.close();
  }

  @Test
  void opensslSessionsFromNodeAResumeOnNodeB() throws Exception {
    assumeTrue(OpenSslCli.available(), "openssl CLI missing");
    CrossNodeClients.assertOpensslResumesAtoB(nodeA.port(), nodeB.port(), tmp, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(nodeA.nextHandshake().resumption()).isEqualTo(Resumption.FULL);
      TestServer.Handshake h = nodeB.nextHandshake();
      assertThat(h.success()).isTrue();
      assertThat(h.resumption()).isEqualTo(Resumption.RESUMED_SHARED);
    }
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
      nodes.awaitAnEntryInMemcached(); // node A writes asynchronously; the client comes back at once

      assertThat(JdkClientResumptionTest.echo(client, lb.port(), "TLSv1.2", payload))
          .isEqualTo(payload);
      TestServer.Handshake onB = nodeB.nextHandshake();
      assertThat(onB.success()).isTrue();
      assertThat(onB.resumption()).isEqualTo(Resumption.RESUMED_SHARED);
      assertThat(Arrays.asList(nodeA.handshakes.toArray())).isEmpty();
    }
  }
}
