package io.github.shredcache.demo.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.demo.client.ClientConfig.Provider;
import io.github.shredcache.demo.client.ClientConfig.ResumeMode;
import io.github.shredcache.demo.client.ClientConfig.Target;
import io.github.shredcache.demo.client.ClientReport.Kind;
import io.github.shredcache.testing.net.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

class LoadClientTest {
  private static FakeNodes nodes;

  @BeforeAll
  static void start() throws Exception {
    nodes = new FakeNodes(2);
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  private static List<Target> targets() {
    List<Target> t = new ArrayList<>();
    for (int p : nodes.ports()) {
      t.add(new Target("127.0.0.1", p));
    }
    return t;
  }

  private static ClientReport run(ResumeMode mode, Provider provider, int n, int c)
      throws Exception {
    ClientConfig config = new ClientConfig(targets(), n, c, mode, "1.2", Duration.ofSeconds(30),
        Duration.ofSeconds(5), true, Optional.empty(), provider, 1);
    return new LoadClient(config).run(done -> { }, 100);
  }

  @ParameterizedTest
  @EnumSource(value = Provider.class, names = {"OPENSSL", "JDK"})
  void noneMakesOnlyFullHandshakesOnAllTargets(Provider provider) throws Exception {
    ClientReport r = run(ResumeMode.NONE, provider, 20, 4);
    assertThat(r.failures()).isZero();
    assertThat(r.total(Kind.FULL)).isEqualTo(20);
    assertThat(r.rows()).extracting(row -> row.node).containsExactly("fake-a", "fake-b");
    assertThat(r.rows()).allSatisfy(row -> assertThat(row.full).isEqualTo(10));
  }

  @ParameterizedTest
  @EnumSource(value = Provider.class, names = {"OPENSSL", "JDK"})
  void sameResumesOnTheIssuingNode(Provider provider) throws Exception {
    ClientReport r = run(ResumeMode.SAME, provider, 20, 2);
    assertThat(r.failures()).isZero();
    assertThat(r.total(Kind.FULL)).isEqualTo(2);
    assertThat(r.total(Kind.RESUMED_LOCAL)).isEqualTo(18);
    assertThat(r.total(Kind.RESUMED_CROSS)).isZero();
  }

  @ParameterizedTest
  @EnumSource(value = Provider.class, names = {"OPENSSL", "JDK"})
  void crossResumesOnTheOtherNode(Provider provider) throws Exception {
    ClientReport r = run(ResumeMode.CROSS, provider, 20, 2);
    assertThat(r.failures()).isZero();
    assertThat(r.total(Kind.FULL)).isEqualTo(2);
    assertThat(r.total(Kind.RESUMED_CROSS)).isEqualTo(18);
    assertThat(r.json()).contains("\"resumedCrossNode\": 18");
    assertThat(r.table()).contains("fake-a", "fake-b", "resumed cross-node", "p99");
  }

  /**
   * Two nodes that cannot resume each other's sessions (separate server contexts) and pages that
   * say {@code engine: bc}, so the client judges by the session ID on the wire. Cross-node offers
   * are declined with full handshakes, and the client must see the new ID, not the one it
   * offered (Netty's OpenSSL engine reports the offered ID after a declined resumption).
   */
  @ParameterizedTest
  @EnumSource(value = Provider.class, names = {"OPENSSL", "JDK"})
  void aDeclinedOfferIsAFullHandshakeOnTheWire(Provider provider) throws Exception {
    try (FakeNodes a = new FakeNodes(1, "bc"); FakeNodes b = new FakeNodes(1, "bc")) {
      List<Target> t = List.of(new Target("127.0.0.1", a.ports().get(0)),
          new Target("127.0.0.1", b.ports().get(0)));
      ClientConfig config = new ClientConfig(t, 12, 2, ResumeMode.CROSS, "1.2",
          Duration.ofSeconds(30), Duration.ofSeconds(5), true, Optional.empty(), provider, 1);
      ClientReport r = new LoadClient(config).run(done -> { }, 100);
      assertThat(r.failures()).isZero();
      assertThat(r.json()).contains("\"disagreements\": 0");
      long nodeSaidFull = r.rows().stream()
          .mapToLong(row -> row.nodeClaims.getOrDefault("FULL", 0L)).sum();
      assertThat(r.total(Kind.FULL)).isEqualTo(nodeSaidFull).isGreaterThan(2);
    }
  }

  @Test
  void caFileTrustsTheNodesAndAWrongCaFails(@TempDir Path dir) throws Exception {
    ClientConfig good = new ClientConfig(targets(), 4, 2, ResumeMode.NONE, "1.2",
        Duration.ofSeconds(30), Duration.ofSeconds(5), false,
        Optional.of(nodes.certificate().toPath()), Provider.AUTO, 1);
    assertThat(new LoadClient(good).run(d -> { }, 100).failures()).isZero();

    try (FakeNodes other = new FakeNodes(1)) {
      Path wrong = dir.resolve("other.pem");
      Files.copy(other.certificate().toPath(), wrong);
      ClientConfig bad = new ClientConfig(targets(), 4, 2, ResumeMode.NONE, "1.2",
          Duration.ofSeconds(30), Duration.ofSeconds(5), false, Optional.of(wrong),
          Provider.AUTO, 1);
      ClientReport r = new LoadClient(bad).run(d -> { }, 100);
      assertThat(r.failures()).isEqualTo(4);
      assertThat(r.handshakes()).isZero();
    }
  }

  @Test
  void aDeadTargetCountsFailuresAndTheRunEnds() throws Exception {
    int port = FreePort.loopback();
    ClientConfig config = new ClientConfig(List.of(new Target("127.0.0.1", port)), 10, 3,
        ResumeMode.CROSS, "1.2", Duration.ofSeconds(20), Duration.ofSeconds(2), true,
        Optional.empty(), Provider.AUTO, 1);
    ClientReport r = new LoadClient(config).run(d -> { }, 100);
    assertThat(r.failures()).isEqualTo(10);
    assertThat(r.table()).contains("connect:");
  }

  @Test
  void maxDurationBoundsTheRun() throws Exception {
    ClientConfig config = new ClientConfig(targets(), 1_000_000, 2, ResumeMode.SAME, "1.2",
        Duration.ofMillis(700), Duration.ofSeconds(5), true, Optional.empty(), Provider.AUTO, 1);
    long t0 = System.nanoTime();
    ClientReport r = new LoadClient(config).run(d -> { }, 100);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
    assertThat(r.handshakes()).isGreaterThan(0).isLessThan(1_000_000);
    assertThat(r.table()).contains("stopped after --max-duration");
  }

  @Test
  void threadsDefaultToOnePerCore() {
    ClientCommand cmd = new ClientCommand();
    new CommandLine(cmd).parseArgs("--targets", nodes.targets(), "--insecure");
    assertThat(cmd.config().threads())
        .isEqualTo(Math.min(64, Runtime.getRuntime().availableProcessors()));
    ClientCommand one = new ClientCommand();
    new CommandLine(one).parseArgs("--targets", nodes.targets(), "--insecure", "--threads", "1");
    assertThat(one.config().threads()).isEqualTo(1);
  }

  @Test
  void commandWritesTableAndJsonAndRejectsBadFlags(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path json = dir.resolve("out.json");
    ClientCommand cmd = new ClientCommand();
    new CommandLine(cmd).parseArgs("--targets", nodes.targets(), "--connections", "6",
        "--concurrency", "2", "--resume", "cross", "--insecure", "--json", json.toString());
    int code = cmd.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("INSECURE", "total", "fake-a");
    assertThat(Files.readString(json)).contains("\"resumedCrossNode\": 4", "\"failures\": 0");

    for (String[] args : new String[][] {
        {"--targets", nodes.targets()},                                  // no trust choice
        {"--targets", "localhost", "--insecure"},                        // no port
        {"--targets", nodes.targets(), "--insecure", "--resume", "sideways"},
        {"--targets", nodes.targets(), "--insecure", "--tls", "1.1"},
        {"--targets", nodes.targets(), "--insecure", "--connections", "0"},
        {"--targets", nodes.targets(), "--insecure", "--max-duration", "soon"}}) {
      ClientCommand c = new ClientCommand();
      new CommandLine(c).parseArgs(args);
      ByteArrayOutputStream e = new ByteArrayOutputStream();
      assertThat(c.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(e)))
          .as(String.join(" ", args)).isEqualTo(2);
      assertThat(e.toString()).startsWith("client: ");
    }
  }
}
