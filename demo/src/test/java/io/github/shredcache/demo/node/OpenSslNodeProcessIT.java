package io.github.shredcache.demo.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.demo.cli.SecretFiles;
import io.github.shredcache.demo.node.NodeProcesses.NodeProcess;
import io.github.shredcache.demo.node.NodeProcesses.Result;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.tls.OpenSslSessionFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code node --engine openssl} as processes: two nodes started from one token resume each other's
 * TLS 1.3 and TLS 1.2 tickets (no memcached), and the page says which engine served it.
 */
class OpenSslNodeProcessIT {
  @TempDir Path dir;

  private static String sClient(int port, String version, String... sessionArgs)
      throws Exception {
    return NodeProcesses.request(port, version, sessionArgs);
  }

  @Test
  void twoOpenSslNodesOfOneChainResumeEachOthersTickets() throws Exception {
    Path[] keys = NodeProcesses.keysAndCerts(dir);
    String[] common = {"--engine", "openssl", "--key-token-file", keys[0].toString(),
        "--cert", keys[1].toString(), "--key", keys[2].toString(), "--epoch-length", "1h"};
    try (NodeProcess a = NodeProcess.start(concat(common, "--port", "0", "--node-name", "a"));
        NodeProcess b = NodeProcess.start(concat(common, "--port", "0", "--node-name", "b"))) {
      for (String version : new String[] {"-tls1_3", "-tls1_2"}) {
        String protocol = version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2";
        Path session = dir.resolve("session" + version + ".pem");
        String full = sClient(a.port, version, "-sess_out", session.toString());
        assertThat(full).contains("New, " + protocol).contains("node: a").contains("engine: openssl")
            .contains("protocol: " + protocol).contains("resumption: FULL");
        String resumed = sClient(b.port, version, "-sess_in", session.toString());
        assertThat(resumed).contains("Reused, " + protocol).contains("node: b")
            .contains("engine: openssl").contains("resumption: RESUMED_TICKET");
      }
      assertThat(a.err()).contains("ticket keys rotated: epoch");
    }
  }

  /**
   * {@code --session-lifetime} bounds TLS 1.3 tickets too: the ticket says it lives at most the
   * lifetime, and no longer resumes on the other node once the lifetime has passed. (The server's
   * own refusal of a ticket presented anyway, and the ticket sent without application data, are
   * pinned down by the netty-adapter's TicketLifetimeIT.)
   */
  @Test
  void sessionLifetimeBoundsTls13Tickets() throws Exception {
    Path[] keys = NodeProcesses.keysAndCerts(dir);
    String[] common = {"--engine", "openssl", "--key-token-file", keys[0].toString(),
        "--cert", keys[1].toString(), "--key", keys[2].toString(), "--epoch-length", "1h",
        "--session-lifetime", "3s"};
    try (NodeProcess a = NodeProcess.start(concat(common, "--port", "0", "--node-name", "a"));
        NodeProcess b = NodeProcess.start(concat(common, "--port", "0", "--node-name", "b"))) {
      Path session = dir.resolve("session.pem");
      assertThat(sClient(a.port, "-tls1_3", "-sess_out", session.toString()))
          .contains("New, TLSv1.3");
      long expiry = System.nanoTime() + Duration.ofMillis(4_200).toNanos();
      assertThat(OpenSslSessionFiles.lifetimeHintSeconds(session)).isBetween(1L, 3L);

      assertThat(sClient(b.port, "-tls1_3", "-sess_in", session.toString()))
          .contains("Reused, TLSv1.3");
      long left = expiry - System.nanoTime();
      if (left > 0) {
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left)); // the passing of time is what is tested
      }
      assertThat(sClient(b.port, "-tls1_3", "-sess_in", session.toString()))
          .contains("New, TLSv1.3").contains("resumption: FULL");
    }
  }

  /**
   * Same suite policy as the bc engine: no CBC (LUCKY13 territory), no static RSA key exchange.
   * With an RSA certificate, where Netty's default list would allow both.
   */
  @Test
  void ticketModeOffersOnlyEcdheWithAeadSuites() throws Exception {
    Path[] keys = NodeProcesses.keysAndCerts(dir);
    Result rsa = NodeProcesses.runJar("certs", "--algorithm", "RSA", "--out",
        dir.resolve("rsa").toString());
    assertThat(rsa.code()).as(rsa.err()).isZero();
    try (NodeProcess node = NodeProcess.start("--engine", "openssl", "--key-token-file",
        keys[0].toString(), "--cert", dir.resolve("rsa/cert.pem").toString(), "--key",
        dir.resolve("rsa/key.pem").toString(), "--epoch-length", "1h", "--port", "0")) {
      String cbc = sClient(node.port, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"
          + ":ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-SHA256"
          + ":AES128-SHA:AES128-GCM-SHA256:AES256-SHA256");
      assertThat(cbc).contains("handshake failure").doesNotContain("New, TLSv1.2");
      String both = sClient(node.port, "-tls1_2", "-cipher",
          "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-GCM-SHA256"
              + ":ECDHE-RSA-AES128-GCM-SHA256");
      assertThat(both).contains("New, TLSv1.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256");
    }
  }

  @Test
  void epochLengthThatDisagreesWithTheTokenIsRefused() throws Exception {
    Path token = SecretFiles.writePrivate(dir.resolve("token"), TestKeys.TOKEN_A + "\n"); // 1 h epochs
    Result r = NodeProcesses.runJar("node", "--port", "0", "--engine", "openssl",
        "--key-token-file", token.toString(), "--epoch-length", "10m");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--epoch-length 600s disagrees").contains("epochs of 3600s")
        .contains("keys init --epoch-length 600s");
    assertThat(r.out()).isEmpty();
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
