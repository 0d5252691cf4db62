package io.github.shredcache.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.demo.client.ClientReport;
import io.github.shredcache.demo.client.ClientReport.Kind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The local demo's fallback without memcached: nodes in this JVM sharing one in-memory store still
 * resume each other's sessions through the balancer, and everything is stopped afterwards.
 */
class LocalClusterTest {
  @Test
  void withoutMemcachedInProcessNodesShareOneStore() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    ClientReport report;
    try (LocalCluster cluster = new LocalCluster(
        new LocalCluster.Options(2, 24, 2, "1.2", true, false, "bc"), out)) {
      report = cluster.run();
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    assertThat(report.failures()).as(text).isZero();
    assertThat(report.handshakes()).isEqualTo(24);
    assertThat(report.total(Kind.RESUMED_CROSS)).as(text).isPositive();
    assertThat(text).contains("one shared in-memory store", "(in this JVM)",
        "stopped everything it started");
  }

  @Test
  void badOptionsSayTheFix() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new LocalCluster.Options(0, 10, 1, "1.2", true, false, "bc"))
        .hasMessageContaining("--nodes must be 1..16");
  }
}
