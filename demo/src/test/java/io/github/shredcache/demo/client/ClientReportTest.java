package io.github.shredcache.demo.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.shredcache.demo.client.ClientConfig.ResumeMode;
import io.github.shredcache.demo.client.ClientReport.Kind;
import io.github.shredcache.demo.client.ClientResponse.NodeClaim;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The report's JSON: every field, read back by a JSON parser, including awkward strings. */
class ClientReportTest {
  private static final String DETAIL = "page said \"full\"\n\tand a bell \u0007";
  private static final String REASON = "connect: \"refused\" \\ at C:\\node\r\nnext line \u0001";

  private static ClientConfig config() {
    return new ClientConfig(
        List.of(new ClientConfig.Target("127.0.0.1", 8443), new ClientConfig.Target("::1", 8444)),
        5, 2, ResumeMode.CROSS, "1.2", Duration.ofSeconds(30), Duration.ofSeconds(5), true,
        Optional.empty(), ClientConfig.Provider.JDK, 1);
  }

  /** Parses one JSON value into maps (in document order), lists, strings, numbers and null. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String json) throws IOException {
    try (JsonParser p = new JsonFactory().createParser(json)) {
      p.nextToken();
      Object root = read(p);
      assertThat(p.nextToken()).as("nothing after the object").isNull();
      return (Map<String, Object>) root;
    }
  }

  private static Object read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() != JsonToken.END_OBJECT) {
          String name = p.currentName();
          p.nextToken();
          assertThat(m.put(name, read(p))).as("duplicate " + name).isNull();
        }
        return m;
      }
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(read(p));
        }
        return l;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return p.getBooleanValue();
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new AssertionError("unexpected " + t);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @Test
  void everyFieldParsesBack() throws IOException {
    ClientReport.Collector c = new ClientReport.Collector();
    c.success("node-a", Kind.FULL, NodeClaim.FULL, true, "TLSv1.2", 2_000_000, "");
    c.success("node-b", Kind.RESUMED_CROSS, NodeClaim.RESUMED_SHARED, true, "TLSv1.2", 1_000_000, "");
    c.success("node-a", Kind.RESUMED_LOCAL, NodeClaim.RESUMED_LOCAL, false, "TLSv1.3", 500_000, DETAIL);
    c.failure("127.0.0.1:8443", REASON);
    ClientReport report = c.finish(config(), "jdk 17", Duration.ofSeconds(2), false, null);

    Map<String, Object> root = parse(report.json());

    assertThat(root).containsOnlyKeys("config", "elapsedSeconds", "stoppedByMaxDuration", "nodes",
        "totals", "latencyMillis", "clientCpuSeconds", "clientCpuShareOfOneCore", "protocols",
        "failureReasons");
    assertThat(new ArrayList<>(root.keySet())).startsWith("config", "elapsedSeconds");
    assertThat(object(root.get("config"))).containsExactly(
        entry("targets", List.of("127.0.0.1:8443", "[::1]:8444")), entry("connections", 5L),
        entry("concurrency", 2L), entry("resume", "cross"), entry("tls", "1.2"),
        entry("client", "jdk 17"), entry("insecure", true));
    assertThat(root).contains(entry("elapsedSeconds", 2.0), entry("stoppedByMaxDuration", false),
        entry("clientCpuSeconds", null), entry("clientCpuShareOfOneCore", null));

    List<?> nodes = (List<?>) root.get("nodes");
    assertThat(nodes).extracting(n -> object(n).get("node"))
        .containsExactly("127.0.0.1:8443", "node-a", "node-b");
    assertThat(object(nodes.get(0))).contains(entry("full", 0L), entry("failures", 1L),
        entry("nodeSaid", Map.of()));
    assertThat(object(nodes.get(1))).containsExactly(entry("node", "node-a"), entry("full", 1L),
        entry("resumedLocal", 1L), entry("resumedCrossNode", 0L), entry("failures", 0L),
        entry("handshakesPerSecond", 1.0),
        entry("nodeSaid", Map.of("FULL", 1L, "RESUMED_LOCAL", 1L)));

    assertThat(object(root.get("totals"))).containsExactly(entry("full", 1L),
        entry("resumedLocal", 1L), entry("resumedCrossNode", 1L), entry("failures", 1L),
        entry("handshakesPerSecond", 1.5), entry("disagreements", 1L),
        entry("disagreementExamples", List.of("node-a said RESUMED_LOCAL; " + DETAIL)));
    // sorted handshakes 0.5, 1, 2 ms (nearest rank); full 2 ms; resumed 0.5, 1 ms
    assertThat(object(root.get("latencyMillis"))).containsExactly(entry("p50", 1.0),
        entry("p99", 2.0), entry("fullP50", 2.0), entry("fullP99", 2.0),
        entry("resumedP50", 0.5), entry("resumedP99", 1.0));
    assertThat(object(root.get("protocols"))).containsExactly(entry("TLSv1.2", 2L),
        entry("TLSv1.3", 1L));
    assertThat(object(root.get("failureReasons"))).containsExactly(entry(REASON, 1L));
  }

  @Test
  void anEmptyRunKeepsTheShapeAndTheLayoutScriptsRead() throws IOException {
    ClientReport report = new ClientReport.Collector()
        .finish(config(), "jdk 17", Duration.ofMillis(1234), true, Duration.ofMillis(617));
    String json = report.json();

    Map<String, Object> root = parse(json);
    assertThat(root.get("nodes")).isEqualTo(List.of());
    assertThat(root.get("failureReasons")).isEqualTo(Map.of());
    assertThat(object(root.get("latencyMillis"))).containsEntry("p50", null);
    assertThat(root).contains(entry("elapsedSeconds", 1.234), entry("stoppedByMaxDuration", true),
        entry("clientCpuSeconds", 0.617), entry("clientCpuShareOfOneCore", 0.5));
    // One "name": value per line, two spaces per level, three decimals: what grep-based scripts
    // (and ClusterIT) read.
    assertThat(json).startsWith("{\n  \"config\": {\n    \"targets\": [\n      \"127.0.0.1:8443\",\n")
        .contains("\n  \"elapsedSeconds\": 1.234,\n", "\n  \"nodes\": [],\n",
            "\n    \"disagreementExamples\": []\n", "\n  \"failureReasons\": {}\n")
        .endsWith("}\n");
  }
}
