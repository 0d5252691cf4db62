package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.shredcache.core.OpenFailure;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.memcached.RawMemcachedClient;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.github.shredcache.testing.tls.OpenSslSessionFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that really tries to resume with a forged secret. An attacker with write access to
 * memcached plants, under a live session ID's key, a session whose master secret it chose
 * (sealed under its own key chain), and makes {@code openssl s_client} offer that session ID
 * with that secret. The node must not resume it: a full handshake ("New"), the connection
 * succeeds, and the open failure is counted. A control shows the same client does resume
 * ("Reused") when the store holds the genuine entry.
 */
class ForgedResumptionIT {
  private static MemcachedProcess memcached;
  private static RawMemcachedClient attacker;
  private static ReliabilityCluster cluster;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    memcached = MemcachedProcess.start();
    attacker = memcached.raw();
    cluster = new ReliabilityCluster(memcached.address(), "forge", Duration.ofMinutes(5));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (attacker != null) {
      attacker.close();
    }
    if (memcached != null) {
      memcached.close();
    }
  }

  /** A full handshake on a fresh node; waits until its sealed entry is in memcached. */
  private static OpenSslClient.Result fullHandshake(Path sessOut) throws Exception {
    ReliabilityCluster.Node a = cluster.startNode();
    OpenSslClient.Result r = ReliabilityCluster.probe(a.port(), null, sessOut);
    assertThat(r.reused()).isFalse();
    assertThat(r.masterSecretHex()).hasSize(96);
    assertThat(a.server().nextHandshake().resumption()).isEqualTo(Resumption.FULL);
    awaitEntry(cluster.storeKey(r.sessionIdHex()));
    return r;
  }

  private static byte[] awaitEntry(String key) {
    return await("the session in memcached").atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10)).pollInSameThread()
        .until(() -> attacker.getBytes(key), Optional::isPresent).orElseThrow();
  }

  @Test
  void chosenSecretUnderAnotherChainIsNotResumed() throws Exception {
    Path genuineSession = dir.resolve("genuine.pem");
    OpenSslClient.Result first = fullHandshake(genuineSession);
    String key = cluster.storeKey(first.sessionIdHex());
    byte[] genuineEntry = attacker.getBytes(key).orElseThrow();

    // The attacker's forgery: our own session codec, our own cache code, its own key chain, and
    // the right context binding (it is not secret).
    byte[] chosen = new byte[48];
    Arrays.fill(chosen, (byte) 0x42);
    byte[] state = SessionCodec.encode(3, 3, ReliabilityCluster.PROBE_CIPHER_ID, true,
        cluster.binding("localhost"), chosen, List.of(), new Hashtable<Integer, byte[]>());
    ReliabilityCluster.Node evil = cluster.startForeignNode();
    SessionId id = SessionId.of(HexFormat.of().parseHex(first.sessionIdHex()));
    evil.cache().put(id, state, Instant.now().plus(Duration.ofMinutes(4)));
    // evil's asynchronous set lands under the same key (same namespace, same ID)
    await("the forgery in memcached").atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10)).pollInSameThread()
        .until(() -> attacker.getBytes(key).orElseThrow(),
            entry -> !Arrays.equals(entry, genuineEntry));
    Path forgedSession = OpenSslSessionFiles.withMasterKey(
        genuineSession, first.masterSecretHex(), chosen, dir.resolve("forged.pem"));

    ReliabilityCluster.Node b = cluster.startNode();
    OpenSslClient.Result attempt = ReliabilityCluster.probe(b.port(), forgedSession, null);
    assertThat(attempt.reused()).as("forged session resumed:\n%s", attempt.output()).isFalse();
    assertThat(attempt.sessionIdHex()).isNotEqualTo(first.sessionIdHex());
    TlsTestServer.Handshake<Resumption> h = b.server().nextHandshake();
    assertThat(h.success()).isTrue();
    assertThat(h.resumption()).isEqualTo(Resumption.FULL);
    assertThat(b.cache().stats().openFailures(OpenFailure.AUTHENTICATION)).isEqualTo(1);

    // Control: the genuine entry back, the genuine session file, a fresh node: resumed.
    attacker.set(key, genuineEntry, 0, 300);
    ReliabilityCluster.Node c = cluster.startNode();
    OpenSslClient.Result control = ReliabilityCluster.probe(c.port(), genuineSession, null);
    assertThat(control.reused()).as("control did not resume:\n%s", control.output()).isTrue();
    assertThat(c.server().nextHandshake().resumption()).isEqualTo(Resumption.RESUMED_SHARED);
    Arrays.fill(chosen, (byte) 0);
  }

  @Test
  void anotherSessionsValidEntryIsNotResumed() throws Exception {
    Path sessionX = dir.resolve("x.pem");
    OpenSslClient.Result x = fullHandshake(sessionX);
    OpenSslClient.Result y = fullHandshake(dir.resolve("y.pem"));
    byte[] entryY = attacker.getBytes(cluster.storeKey(y.sessionIdHex())).orElseThrow();
    attacker.set(cluster.storeKey(x.sessionIdHex()), entryY, 0, 300);

    ReliabilityCluster.Node b = cluster.startNode();
    OpenSslClient.Result attempt = ReliabilityCluster.probe(b.port(), sessionX, null);
    assertThat(attempt.reused()).as("resumed with another session's entry").isFalse();
    assertThat(b.server().nextHandshake().success()).isTrue();
    assertThat(b.cache().stats().openFailures(OpenFailure.AUTHENTICATION)).isEqualTo(1);
  }

  @Test
  void garbageUnderALiveKeyIsAFullHandshake() throws Exception {
    Path session = dir.resolve("g.pem");
    OpenSslClient.Result first = fullHandshake(session);
    attacker.set(cluster.storeKey(first.sessionIdHex()), new byte[600_000], 0, 300);
    ReliabilityCluster.Node b = cluster.startNode();
    OpenSslClient.Result attempt = ReliabilityCluster.probe(b.port(), session, null);
    assertThat(attempt.reused()).isFalse();
    assertThat(b.server().nextHandshake().success()).isTrue();
    assertThat(b.cache().stats().openFailures(OpenFailure.OVERSIZED)).isEqualTo(1);
    assertThat(Files.exists(session)).isTrue();
  }
}
