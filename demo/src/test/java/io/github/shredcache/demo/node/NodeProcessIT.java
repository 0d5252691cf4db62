package io.github.shredcache.demo.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.shredcache.demo.cli.SecretFiles;
import io.github.shredcache.demo.node.NodeProcesses.NodeProcess;
import io.github.shredcache.demo.node.NodeProcesses.Result;
import io.github.shredcache.testing.net.FreePort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo jar as a process: keys round trip, bad flags, one node with its page and a clean stop. */
class NodeProcessIT {
  @TempDir Path dir;

  @Test
  void keysInitThenAdvanceThroughTheJar() throws Exception {
    Result init = NodeProcesses.runJar("keys", "init", "--epoch-length", "1h");
    assertThat(init.code()).as(init.err()).isZero();
    String token = init.out().strip();
    assertThat(token).matches("sc1:3600:\\d+:[A-Za-z0-9_-]{43}=?");
    Path file = SecretFiles.writePrivate(dir.resolve("token"), token + "\n");
    Result advance = NodeProcesses.runJar("keys", "advance", "--token-file", file.toString());
    assertThat(advance.code()).as(advance.err()).isZero();
    String advanced = advance.out().strip();
    long epochNow = Instant.now().getEpochSecond() / 3600;
    assertThat(Long.parseLong(advanced.split(":")[2])).isBetween(epochNow - 1, epochNow);
    if (advanced.split(":")[2].equals(token.split(":")[2])) {
      assertThat(advanced).isEqualTo(token);
    }
  }

  @Test
  void badTokenExits2AndNeverPrintsTheSecret() throws Exception {
    String secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA";
    Path file = SecretFiles.writePrivate(dir.resolve("token"), "sc1:3600:" + (Instant.now().getEpochSecond() / 3600) + ":" + secret);
    Result r = NodeProcesses.runJar("node", "--port", "0", "--key-token-file", file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("error: --key-token-file").doesNotContain(secret.substring(0, 16));
  }

  @Test
  void badFlagsExit2WithAMessage() {
    Result r = NodeProcesses.runJar("node", "--port", "70000", "--key-token-file", "/nonexistent");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--port must be a port from 1 to 65535");
    Result unknown = NodeProcesses.runJar("nodes");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unmatched argument").contains("node");
  }

  @Test
  void nodeServesItsPageResumesLocallyAndStopsOnSigterm() throws Exception {
    Path[] keys = NodeProcesses.keysAndCerts(dir);
    int metricsPort = FreePort.loopback();
    try (NodeProcess node = NodeProcess.start("--port", "0", "--key-token-file", keys[0].toString(),
        "--cert", keys[1].toString(), "--key", keys[2].toString(), "--node-name", "solo",
        "--metrics-port", Integer.toString(metricsPort))) {
      Path session = dir.resolve("session.pem");
      String full = NodeProcesses.sClient(node.port, "-sess_out", session.toString());
      assertThat(full).contains("New, TLSv1.2").contains("node: solo").contains("resumption: FULL")
          .contains("protocol: TLSv1.2");
      String again = NodeProcesses.sClient(node.port, "-sess_in", session.toString());
      assertThat(again).contains("Reused, TLSv1.2").contains("resumption: RESUMED_LOCAL");

      // HTTP/1.1 keep-alive over one TLS 1.3 connection (a full handshake on this engine).
      String twoPages = NodeProcesses.twoRequestsOnOneConnection(node.port);
      assertThat(twoPages.split("HTTP/1.1 200 OK", -1)).hasSize(3);
      assertThat(twoPages).contains("protocol: TLSv1.3").doesNotContain("connection: close");

      String metrics = NodeProcesses.scrape(metricsPort);
      assertThat(MetricsTest.sample(metrics, "shredcache_handshakes_total", "result=\"full\"")).isEqualTo(2);
      assertThat(MetricsTest.sample(metrics, "shredcache_handshakes_total", "result=\"resumed_local\"")).isEqualTo(1);
      assertThat(MetricsTest.sample(metrics, "shredcache_store_up")).isEqualTo(-1);

      int code = node.stop();
      assertThat(code).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
      assertThat(node.err()).contains("node solo started").contains("node solo stopped")
          .doesNotContain(Files.readString(keys[0]).strip().substring(20));
    }
  }

  /**
   * Without --cert/--key the node serves a throwaway self-signed certificate made in memory: its
   * private key is written nowhere. Checked in the node's java.io.tmpdir (where Netty's
   * SelfSignedCertificate wrote it), while the node runs and serves the certificate.
   */
  @Test
  void nodeWithoutCertificateWritesNoKeyFile() throws Exception {
    Path tmp = Files.createDirectory(dir.resolve("node-tmp"));
    Path token = SecretFiles.writePrivate(dir.resolve("token"),
        NodeProcesses.runJar("keys", "init", "--epoch-length", "1h").out());
    try (NodeProcess node = NodeProcess.start(List.of("-Djava.io.tmpdir=" + tmp),
        "--port", "0", "--key-token-file", token.toString(), "--node-name", "throwaway")) {
      String page = NodeProcesses.sClient(node.port, "-showcerts");
      assertThat(page).contains("New, TLSv1.2").contains("node: throwaway").containsPattern("CN ?= ?localhost")
          .contains("-----BEGIN CERTIFICATE-----");
      assertThat(node.err()).contains("throwaway self-signed certificate");
      assertThat(keyMaterialIn(tmp)).as("files in the node's java.io.tmpdir holding key material")
          .isEmpty();
      node.stop();
    }
    assertThat(keyMaterialIn(tmp)).isEmpty();
  }

  /** The files under {@code dir} named like key or certificate files, or holding a PEM block. */
  private static List<String> keyMaterialIn(Path dir) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String name = f.getFileName().toString();
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        if (name.endsWith(".key") || name.endsWith(".pem") || name.endsWith(".crt")
            || text.contains("PRIVATE KEY") || text.contains("-----BEGIN")) {
          found.add(dir.relativize(f).toString());
        }
      }
    }
    return found;
  }

  /**
   * Every log line goes through SLF4J, in one format: the store's own warning (System.Logger in
   * the library) and spymemcached's reconnect warnings (its own logger) as much as the node's.
   */
  @Test
  void libraryAndSpymemcachedLogsGoThroughSlf4j() throws Exception {
    Path token = SecretFiles.writePrivate(dir.resolve("token"),
        NodeProcesses.runJar("keys", "init", "--epoch-length", "1h").out());
    String nobody = "127.0.0.1:" + FreePort.loopback();
    try (NodeProcess node = NodeProcess.start("--port", "0", "--key-token-file", token.toString(),
        "--memcached", nobody, "--node-name", "alone")) {
      String log = node.awaitLog("MemcachedConnection - Closing, and reopening", Duration.ofSeconds(30));
      String slf4jLine = "(?m)^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\[(INFO|WARN|ERROR)\\] ";
      assertThat(log).containsPattern(slf4jLine + "MemcachedSessionStore - memcached at "
              + Pattern.quote(nobody) + " did not answer at start-up")
          .containsPattern(slf4jLine + "MemcachedConnection - Closing, and reopening")
          .containsPattern(slf4jLine + "Node - node alone started");
      assertThat(log.lines().filter(l -> l.startsWith("WARNING:") || l.startsWith("INFO:")))
          .as("lines in java.util.logging's format").isEmpty();
    }
  }

  @Test
  void epochRotationIsLoggedOnceAndShownInMetrics() throws Exception {
    Result token = NodeProcesses.runJar("keys", "init", "--epoch-length", "2s");
    assertThat(token.code()).as(token.err()).isZero();
    Path file = SecretFiles.writePrivate(dir.resolve("token"), token.out());
    int metricsPort = FreePort.loopback();
    try (NodeProcess node = NodeProcess.start("--port", "0", "--key-token-file", file.toString(),
        "--session-lifetime", "4s", "--metrics-port", Integer.toString(metricsPort))) {
      double first = MetricsTest.sample(NodeProcesses.scrape(metricsPort), "shredcache_keys_epoch");
      await("a later epoch in the metrics").atMost(java.time.Duration.ofSeconds(20))
          .pollInterval(java.time.Duration.ofMillis(300))
          .until(() -> MetricsTest.sample(NodeProcesses.scrape(metricsPort), "shredcache_keys_epoch"),
              later -> later > first);
      String log = node.awaitLog("key epoch rotated", java.time.Duration.ofSeconds(10));
      assertThat(log).contains("erased");
      // One line per rotation, not per check: at most one per 2 s epoch since the start.
      long lines = node.err().lines().filter(l -> l.contains("key epoch rotated")).count();
      assertThat(lines).isBetween(1L, 15L);
    }
  }
}
