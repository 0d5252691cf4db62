package io.github.shredcache.demo.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.demo.node.NodeProcesses.NodeProcess;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.net.FreePort;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two node processes of the demo jar sharing one token, one certificate and one memcached: a
 * session made on node A resumes on node B, from the shared store, as the {@code openssl} CLI,
 * node B's page and both nodes' metrics show.
 */
class NodeClusterIT {
  @TempDir Path dir;

  @Test
  void sessionFromNodeAResumesOnNodeB() throws Exception {
    Path[] keys = NodeProcesses.keysAndCerts(dir);
    int metricsA = FreePort.loopback();
    int metricsB = FreePort.loopback();
    try (MemcachedProcess memcached = MemcachedProcess.start();
        NodeProcess a = node("a", memcached.address(), keys, metricsA);
        NodeProcess b = node("b", memcached.address(), keys, metricsB)) {
      Path session = dir.resolve("session.pem");

      String onA = NodeProcesses.sClient(a.port, "-sess_out", session.toString());
      assertThat(onA).contains("New, TLSv1.2").contains("node: a").contains("resumption: FULL");

      String onB = NodeProcesses.sClient(b.port, "-sess_in", session.toString());
      assertThat(onB).contains("Reused, TLSv1.2").contains("node: b")
          .contains("handshake: resumed (shared store)").contains("resumption: RESUMED_SHARED");

      String mA = NodeProcesses.scrape(metricsA);
      String mB = NodeProcesses.scrape(metricsB);
      assertThat(MetricsTest.sample(mA, "shredcache_handshakes_total", "result=\"full\"")).isEqualTo(1);
      assertThat(MetricsTest.sample(mA, "shredcache_cache_puts_total")).isEqualTo(1);
      assertThat(MetricsTest.sample(mB, "shredcache_handshakes_total", "result=\"resumed_shared\"")).isEqualTo(1);
      assertThat(MetricsTest.sample(mB, "shredcache_handshakes_total", "result=\"full\"")).isZero();
      assertThat(MetricsTest.sample(mB, "shredcache_cache_store_hits_total")).isEqualTo(1);
      assertThat(MetricsTest.sample(mB, "shredcache_store_lookup_seconds_count")).isGreaterThanOrEqualTo(1);
      assertThat(MetricsTest.sample(mB, "shredcache_store_up")).isEqualTo(1);

      // Back on A: its own session, from its front cache.
      String backOnA = NodeProcesses.sClient(a.port, "-sess_in", session.toString());
      assertThat(backOnA).contains("Reused, TLSv1.2").contains("resumption: RESUMED_LOCAL");
      assertThat(MetricsTest.sample(NodeProcesses.scrape(metricsA), "shredcache_handshakes_total",
          "result=\"resumed_local\"")).isEqualTo(1);

      // memcached goes away: logged once, the gauge drops, B still serves (full handshakes).
      memcached.kill();
      b.awaitLog("memcached unreachable", Duration.ofSeconds(20));
      assertThat(MetricsTest.sample(NodeProcesses.scrape(metricsB), "shredcache_store_up")).isZero();
      Path other = dir.resolve("session2.pem");
      String during = NodeProcesses.sClient(b.port, "-sess_out", other.toString());
      assertThat(during).contains("New, TLSv1.2").contains("resumption: FULL");

      // ...and comes back: logged once, resumption across nodes works again.
      memcached.restart();
      b.awaitLog("memcached reachable again", Duration.ofSeconds(30));
      assertThat(MetricsTest.sample(NodeProcesses.scrape(metricsB), "shredcache_store_up")).isEqualTo(1);
      assertThat(b.err().lines().filter(l -> l.contains("memcached unreachable")).count()).isEqualTo(1);
      Path third = dir.resolve("session3.pem");
      NodeProcesses.sClient(a.port, "-sess_out", third.toString());
      String after = NodeProcesses.sClient(b.port, "-sess_in", third.toString());
      assertThat(after).contains("Reused, TLSv1.2").contains("resumption: RESUMED_SHARED");
    }
  }

  private static NodeProcess node(String name, String memcached, Path[] keys, int metricsPort) throws Exception {
    return NodeProcess.start("--port", "0", "--node-name", name, "--memcached", memcached,
        "--key-token-file", keys[0].toString(), "--cert", keys[1].toString(), "--key", keys[2].toString(),
        "--metrics-port", Integer.toString(metricsPort), "--store-timeout", "500ms");
  }
}
