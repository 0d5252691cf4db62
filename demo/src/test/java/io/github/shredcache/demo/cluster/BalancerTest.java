package io.github.shredcache.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.demo.client.ClientCommand;
import io.github.shredcache.demo.client.ClientConfig.Provider;
import io.github.shredcache.demo.client.ClientConfig.ResumeMode;
import io.github.shredcache.demo.client.ClientConfig.Target;
import io.github.shredcache.demo.client.ClientConfig;
import io.github.shredcache.demo.client.ClientReport.Kind;
import io.github.shredcache.demo.client.ClientReport;
import io.github.shredcache.demo.client.FakeNodes;
import io.github.shredcache.testing.net.FreePort;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BalancerTest {

  @Test
  void spreadsConnectionsRoundRobinAndTlsResumesAcrossNodes() throws Exception {
    try (FakeNodes nodes = new FakeNodes(3)) {
      List<InetSocketAddress> backends = new ArrayList<>();
      for (int p : nodes.ports()) {
        backends.add(new InetSocketAddress("127.0.0.1", p));
      }
      try (Balancer lb = Balancer.start(backends, 0)) {
        // One connection at a time, so the balancer's round-robin is deterministic: one session,
        // made on the first node, resumed on the 2nd and 3rd (cross-node), then back on its own
        // node every third connection. (With 3 slots over 3 backends the slots could stay in step
        // with the balancer and never cross nodes.)
        ClientConfig config = new ClientConfig(List.of(new Target("127.0.0.1", lb.port())), 30, 1,
            ResumeMode.CROSS, "1.2", Duration.ofSeconds(30), Duration.ofSeconds(5), true,
            Optional.empty(), Provider.AUTO, 1);
        ClientReport r = ClientCommand.execute(config,
            new PrintStream(OutputStream.nullOutputStream()), false, false);
        assertThat(r.failures()).isZero();
        assertThat(lb.accepted()).isEqualTo(30);
        assertThat(r.rows()).extracting(ClientReport.Row::node)
            .containsExactly("fake-a", "fake-b", "fake-c");
        assertThat(r.rows()).allSatisfy(row -> assertThat(row.handshakes()).isEqualTo(10));
        assertThat(r.total(Kind.FULL)).isEqualTo(1);
        assertThat(r.total(Kind.RESUMED_LOCAL)).isEqualTo(9);
        assertThat(r.total(Kind.RESUMED_CROSS)).isEqualTo(20);
      }
    }
  }

  @Test
  void relaysLargeTransfersBothWays() throws Exception {
    try (ServerSocket echo = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        try (Socket s = echo.accept()) {
          s.getInputStream().transferTo(s.getOutputStream());
        } catch (Exception ignored) {
          // the test fails on the client side
        }
      });
      t.setDaemon(true);
      t.start();
      try (Balancer lb = Balancer.start(
          List.of(new InetSocketAddress("127.0.0.1", echo.getLocalPort())), 0);
          Socket s = new Socket("127.0.0.1", lb.port())) {
        s.setSoTimeout(10_000);
        byte[] data = new byte[2 << 20];
        new Random(7).nextBytes(data);
        Thread writer = new Thread(() -> {
          try {
            OutputStream out = s.getOutputStream();
            out.write(data);
            out.flush();
          } catch (Exception ignored) {
            // the read below fails then
          }
        });
        writer.start();
        InputStream in = s.getInputStream();
        byte[] back = in.readNBytes(data.length);
        writer.join(10_000);
        assertThat(back.length).isEqualTo(data.length);
        assertThat(java.util.Arrays.equals(back, data)).as("same bytes in the same order").isTrue();
      }
    }
  }

  @Test
  void aDeadBackendClosesTheClientConnection() throws Exception {
    int dead = FreePort.loopback();
    try (Balancer lb = Balancer.start(List.of(new InetSocketAddress("127.0.0.1", dead)), 0);
        Socket s = new Socket("127.0.0.1", lb.port())) {
      s.setSoTimeout(10_000);
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }
}
