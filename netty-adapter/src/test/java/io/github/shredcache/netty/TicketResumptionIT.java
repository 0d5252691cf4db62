package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.core.KeyToken;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cluster-wide ticket resumption with real clients: two nodes (separate OpenSSL contexts, separate
 * ports) started from tokens of one chain resume each other's TLS 1.3 and TLS 1.2 tickets; nodes of
 * different chains never do.
 */
class TicketResumptionIT {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration EPOCH = Duration.ofMinutes(10);
  private static final Duration LIFETIME = Duration.ofMinutes(30);
  private static final InstantSource CLOCK = Clock.systemUTC();

  @RegisterExtension static final TicketTestEnv env = new TicketTestEnv(1);

  @TempDir Path dir;



  private static TicketTestNode node(String name, KeyToken token) throws Exception {
    return TicketTestNode.start(name, token, LIFETIME, CLOCK, env.cert(), env.group());
  }

  @ParameterizedTest(name = "openssl s_client {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void opensslTicketFromNodeAResumesOnNodeB(String version) throws Exception {
    KeyToken chain = KeyToken.generate(EPOCH, CLOCK);
    KeyToken sameChain = chain.advanceTo(chain.epoch());
    try (TicketTestNode a = node("A", chain);
        TicketTestNode b = node("B", sameChain)) {
      Path session = dir.resolve("a.session");
      String expected = version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2";

      OpenSslClient.Result onA = TicketTestNode.request(a.port(), version, null, session);
      assertThat(onA.toString()).as(onA.output()).isEqualTo("New, " + expected);
      assertThat(a.server.nextHandshake(WAIT).resumption()).isFalse();

      OpenSslClient.Result onB = TicketTestNode.request(b.port(), version, session, null);
      assertThat(onB.toString()).as(onB.output()).isEqualTo("Reused, " + expected);
      TlsTestServer.Handshake<Boolean> resumed = b.server.nextHandshake(WAIT);
      assertThat(resumed.protocol()).isEqualTo(expected);
      assertThat(resumed.resumption()).isTrue();
      if (expected.equals("TLSv1.3")) {
        // psk_dhe_ke: the resumed handshake ran a fresh ECDHE exchange.
        assertThat(onB.output()).contains("Server Temp Key");
      }
    }
  }

  @ParameterizedTest(name = "JDK client {0}")
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void jdkClientTicketFromNodeAResumesOnNodeB(String protocol) throws Exception {
    KeyToken chain = KeyToken.generate(EPOCH, CLOCK);
    KeyToken sameChain = chain.advanceTo(chain.epoch());
    try (TicketTestNode a = node("A", chain);
        TicketTestNode b = node("B", sameChain)) {
      TicketJdkClient client = new TicketJdkClient(env.group(), protocol, env.cert().certificate());

      assertThat(client.get(a.port(), WAIT)).contains("served by A");
      TlsTestServer.Handshake<Boolean> full = a.server.nextHandshake(WAIT);
      assertThat(full.protocol()).isEqualTo(protocol);
      assertThat(full.resumption()).isFalse();

      assertThat(client.get(b.port(), WAIT)).contains("served by B");
      TlsTestServer.Handshake<Boolean> resumed = b.server.nextHandshake(WAIT);
      assertThat(resumed.protocol()).isEqualTo(protocol);
      assertThat(resumed.resumption()).isTrue();
    }
  }

  /**
   * TLS 1.3 resumption is psk_dhe_ke even when the client also offers psk_ke ({@code
   * -allow_no_dhe_kex}): the resumed handshake still runs ECDHE ("Server Temp Key").
   */
  @Test
  void tls13ResumptionRunsAFreshKeyExchangeEvenWhenTheClientAllowsPskKe() throws Exception {
    KeyToken chain = KeyToken.generate(EPOCH, CLOCK);
    KeyToken sameChain = chain.advanceTo(chain.epoch());
    try (TicketTestNode a = node("A", chain);
        TicketTestNode b = node("B", sameChain)) {
      Path session = dir.resolve("psk.session");
      TicketTestNode.request(a.port(), "-tls1_3", null, session, "-allow_no_dhe_kex");
      a.server.nextHandshake(WAIT);
      OpenSslClient.Result onB =
          TicketTestNode.request(b.port(), "-tls1_3", session, null, "-allow_no_dhe_kex");
      assertThat(onB.toString()).as(onB.output()).isEqualTo("Reused, TLSv1.3");
      assertThat(onB.output()).contains("Server Temp Key");
      assertThat(b.server.nextHandshake(WAIT).resumption()).isTrue();
    }
  }

  @Test
  void nodesOfDifferentChainsNeverResumeEachOthersTickets() throws Exception {
    try (TicketTestNode a = node("A", KeyToken.generate(EPOCH, CLOCK));
        TicketTestNode other = node("other", KeyToken.generate(EPOCH, CLOCK))) {
      // Same epoch, different chains: only the keys differ.
      assertThat(a.rotator.installedEpoch()).isEqualTo(other.rotator.installedEpoch());
      for (String version : new String[] {"-tls1_3", "-tls1_2"}) {
        Path session = dir.resolve("a" + version + ".session");
        TicketTestNode.request(a.port(), version, null, session);
        assertThat(a.server.nextHandshake(WAIT).resumption()).isFalse();

        OpenSslClient.Result there =
            TicketTestNode.request(other.port(), version, session, null);
        assertThat(there.kind()).as(there.output()).isEqualTo("New");
        TlsTestServer.Handshake<Boolean> h = other.server.nextHandshake(WAIT);
        assertThat(h.success()).as(String.valueOf(h.cause())).isTrue();
        assertThat(h.resumption()).isFalse();

        // Control: the same ticket does resume on the node that issued it.
        OpenSslClient.Result home = TicketTestNode.request(a.port(), version, session, null);
        assertThat(home.reused()).as(home.output()).isTrue();
        assertThat(a.server.nextHandshake(WAIT).resumption()).isTrue();
      }
    }
  }
}
