package io.github.shredcache.demo.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.demo.node.NodeProcesses.NodeProcess;
import io.github.shredcache.demo.node.NodeProcesses.Result;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.net.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node authenticates to a SASL memcached with a password read from a file, never printed. */
class NodeSaslIT {
  private static final String USER = "shredcache-demo";
  private static final String PASSWORD = "pw-7f3c9a1e-right";
  private static final String WRONG = "pw-0b5d2e8c-wrong";

  @TempDir Path dir;

  @Test
  void rightPasswordStartsWrongPasswordExits2WithoutPrintingIt() throws Exception {
    Path[] keys = NodeProcesses.keysAndCerts(dir);
    Path right = Files.writeString(dir.resolve("right"), PASSWORD + "\n");
    Path wrong = Files.writeString(dir.resolve("wrong"), WRONG + "\n");
    try (MemcachedProcess memcached = MemcachedProcess.builder().sasl(USER, PASSWORD).start()) {
      Result rejected = NodeProcesses.runJar("node", "--port", "0", "--memcached", memcached.address(),
          "--memcached-user", USER, "--memcached-password-file", wrong.toString(),
          "--key-token-file", keys[0].toString(), "--cert", keys[1].toString(), "--key", keys[2].toString());
      assertThat(rejected.code()).as(rejected.err()).isEqualTo(2);
      assertThat(rejected.out()).isEmpty();
      assertThat(rejected.err()).contains("error: --memcached").contains("SASL").contains(USER).doesNotContain(WRONG).doesNotContain(PASSWORD);

      int metricsPort = FreePort.loopback();
      try (NodeProcess node = NodeProcess.start("--memcached", memcached.address(),
          "--memcached-user", USER, "--memcached-password-file", right.toString(), "--port", "0",
          "--key-token-file", keys[0].toString(), "--cert", keys[1].toString(), "--key", keys[2].toString(),
          "--metrics-port", Integer.toString(metricsPort), "--store-timeout", "500ms")) {
        Path session = dir.resolve("s.pem");
        NodeProcesses.sClient(node.port, "-sess_out", session.toString());
        assertThat(NodeProcesses.sClient(node.port, "-sess_in", session.toString())).contains("Reused, TLSv1.2");
        String metrics = NodeProcesses.scrape(metricsPort);
        assertThat(MetricsTest.sample(metrics, "shredcache_store_up")).isEqualTo(1);
        assertThat(MetricsTest.sample(metrics, "shredcache_store_errors_total")).isZero();
        assertThat(node.err()).contains("store memcached").doesNotContain(PASSWORD);
      }
    }
  }
}
