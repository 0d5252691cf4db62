package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.core.KeyToken;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ticket mode binds tickets to the server configuration: nodes started from one key chain resume
 * each other's TLS 1.3 and TLS 1.2 tickets only if their {@link ResumptionContext}s are equal
 * (same server certificate, client authentication mode and client CAs). Otherwise the client gets
 * a fresh handshake ("New"), which succeeds or fails as any fresh handshake there would. Each case
 * has a control: the ticket resumes ("Reused") on another node of the issuing configuration.
 */
class TicketContextBindingIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration LIFETIME = Duration.ofMinutes(30);
  private static final InstantSource CLOCK = Clock.systemUTC();

  static EventLoopGroup group;
  static TestPki.Cast pki;

  @TempDir Path dir;
  private KeyToken chain;
  private final List<AutoCloseable> nodes = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    OpenSsl.ensureAvailability();
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    pki = TestPki.Cast.create();
  }

  @AfterAll
  static void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @BeforeEach
  void newChain() {
    chain = KeyToken.generate(Duration.ofMinutes(10), CLOCK);
  }

  @AfterEach
  void stopNodes() throws Exception {
    for (AutoCloseable n : nodes) {
      n.close();
    }
    chain.destroy();
  }

  /** A node of the test's key chain with its own OpenSSL context for this configuration. */
  private TicketTestNode node(String name, TestCertificate server, ClientAuth auth,
      TestCertificate clientCa) throws Exception {
    SslContextBuilder b = TicketSslContexts.forServer(server.privateKey(), server.certificate());
    ResumptionContext id;
    if (auth == ClientAuth.NONE) {
      id = ResumptionContext.of(server.chain(), auth);
    } else {
      b.clientAuth(auth).trustManager(clientCa.certificate());
      id = ResumptionContext.of(server.chain(), auth, clientCa.certificate());
    }
    SslContext context = b.build();
    TicketTestNode node = TicketTestNode.start(name, chain.advanceTo(chain.epoch()), LIFETIME,
        CLOCK, context, id, group);
    nodes.add(0, node);
    return node;
  }

  private Path ticket(TicketTestNode node, String version, String... extra) throws Exception {
    Path session = dir.resolve(node.name + version + ".session");
    OpenSslClient.Result r = TicketTestNode.request(node.port(), version, null, session, extra);
    assertThat(r.kind()).as(r.output()).isEqualTo("New");
    assertThat(node.server.nextHandshake(WAIT).success()).isTrue();
    return session;
  }

  private static TlsTestServer.Handshake<Boolean> declined(TicketTestNode node, String version,
      Path session) throws Exception {
    OpenSslClient.Result r = TicketTestNode.request(node.port(), version, session, null);
    assertThat(r.kind()).as(r.output()).isEqualTo("New");
    TlsTestServer.Handshake<Boolean> h = node.server.nextHandshake(WAIT);
    assertThat(Boolean.TRUE.equals(h.resumption())).as("resumed").isFalse();
    return h;
  }

  private static void resumed(TicketTestNode node, String version, Path session)
      throws Exception {
    OpenSslClient.Result r = TicketTestNode.request(node.port(), version, session, null);
    assertThat(r.kind()).as(r.output()).isEqualTo("Reused");
    assertThat(node.server.nextHandshake(WAIT).resumption()).isTrue();
  }

  @ParameterizedTest(name = "openssl s_client {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void ticketOfOneServerCertificateDoesNotResumeUnderAnother(String version) throws Exception {
    TicketTestNode one = node("one", pki.serverOne(), ClientAuth.NONE, null);
    TicketTestNode two = node("two", pki.serverTwo(), ClientAuth.NONE, null);
    Path session = ticket(one, version);

    TlsTestServer.Handshake<Boolean> h = declined(two, version, session);
    assertThat(h.success()).as(String.valueOf(h.cause())).isTrue();

    resumed(node("one again", pki.serverOne(), ClientAuth.NONE, null), version, session);
  }

  @ParameterizedTest(name = "openssl s_client {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void ticketOfAContextTrustingCaXDoesNotResumeOnAContextTrustingCaY(String version)
      throws Exception {
    Path[] pem = pki.clientX().writePem(dir, "client-x");
    TicketTestNode x = node("x", pki.serverOne(), ClientAuth.REQUIRE, pki.caX());
    TicketTestNode y = node("y", pki.serverOne(), ClientAuth.REQUIRE, pki.caY());
    Path session = ticket(x, version, "-cert", pem[0].toString(), "-key", pem[1].toString());

    // On Y without a client certificate: a fresh handshake, which Y refuses.
    assertThat(declined(y, version, session).success()).isFalse();

    resumed(node("x again", pki.serverOne(), ClientAuth.REQUIRE, pki.caX()), version, session);
  }

  @ParameterizedTest(name = "openssl s_client {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void ticketWithAClientCertificateDoesNotResumeWhereClientAuthenticationIsOff(String version)
      throws Exception {
    Path[] pem = pki.clientX().writePem(dir, "client-x");
    TicketTestNode require = node("require", pki.serverOne(), ClientAuth.REQUIRE, pki.caX());
    TicketTestNode none = node("none", pki.serverOne(), ClientAuth.NONE, null);
    Path session = ticket(require, version, "-cert", pem[0].toString(), "-key",
        pem[1].toString());

    TlsTestServer.Handshake<Boolean> h = declined(none, version, session);
    assertThat(h.success()).as(String.valueOf(h.cause())).isTrue();

    resumed(node("require again", pki.serverOne(), ClientAuth.REQUIRE, pki.caX()), version, session);
  }
}
