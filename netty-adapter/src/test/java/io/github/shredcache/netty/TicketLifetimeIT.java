package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.core.KeyToken;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.github.shredcache.testing.tls.OpenSslSessionFiles;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionStats;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The session lifetime bounds every ticket, in real time and across two nodes: a ticket resumes on
 * the other node while young and on no node once the lifetime has passed (even when the client
 * ignores the lifetime hint and presents it anyway), a ticket re-issued on resumption does not
 * stretch it, the lifetime hint never says more, and a TLS 1.3 client that waits for its ticket
 * without sending anything gets it.
 *
 * <p>Lifetime 3 s with 10-minute epochs: the key window keeps the ticket's epoch all along, so
 * what refuses the old ticket is the lifetime alone. Waiting for the lifetime to pass is what
 * these tests measure, so they wait for it.
 */
class TicketLifetimeIT {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration EPOCH = Duration.ofMinutes(10);
  private static final Duration LIFETIME = Duration.ofSeconds(3);
  /** BoringSSL counts whole seconds from the second the session was made: one more to be past. */
  private static final Duration PAST_THE_LIFETIME = LIFETIME.plusMillis(1_200);
  private static final InstantSource CLOCK = Clock.systemUTC();

  @RegisterExtension static final TicketTestEnv env = new TicketTestEnv(1);

  @TempDir Path dir;



  private TicketTestNode a;
  private TicketTestNode b;

  @BeforeEach
  void startTwoNodesOfOneChain() throws Exception {
    KeyToken chain = KeyToken.generate(EPOCH, CLOCK);
    KeyToken sameChain = chain.advanceTo(chain.epoch());
    a = TicketTestNode.start("A", chain, LIFETIME, CLOCK, env.cert(), env.group());
    b = TicketTestNode.start("B", sameChain, LIFETIME, CLOCK, env.cert(), env.group());
  }

  @AfterEach
  void stopNodes() throws Exception {
    try {
      if (a != null) {
        a.close();
      }
    } finally {
      if (b != null) {
        b.close();
      }
    }
  }

  /** Tickets the node's OpenSSL context found a key for (BoringSSL then checks their age). */
  private static long ticketsDecrypted(TicketTestNode node) {
    OpenSslSessionStats stats = ((OpenSslSessionContext) node.context.sessionContext()).stats();
    return stats.ticketKeyResume() + stats.ticketKeyRenew();
  }

  private static void sleepUntil(Instant instant) throws InterruptedException {
    long millis = Duration.between(Instant.now(), instant).toMillis();
    if (millis > 0) {
      Thread.sleep(millis); // the passing of time is what is tested
    }
  }

  @ParameterizedTest(name = "openssl s_client {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void ticketResumesOnTheOtherNodeWithinTheLifetimeAndOnNoNodeAfterIt(String version)
      throws Exception {
    assertThat(a.rotator.ticketLifetimeSeconds()).isEqualTo(3);
    Path issued = dir.resolve("issued.session");
    Path renewed = dir.resolve("renewed.session");
    OpenSslClient.Result full = TicketTestNode.request(a.port(), version, null, issued);
    Instant expiry = Instant.now().plus(PAST_THE_LIFETIME);
    assertThat(full.kind()).as(full.output()).isEqualTo("New");
    assertThat(a.server.nextHandshake(WAIT).resumption()).isFalse();

    // TLS 1.3 re-issues tickets on resumption; TLS 1.2 resumes the same session and ticket.
    OpenSslClient.Result young = TicketTestNode.request(b.port(), version, issued, version.equals("-tls1_3") ? renewed : null);
    assertThat(young.reused()).as(young.output()).isTrue();
    assertThat(b.server.nextHandshake(WAIT).resumption()).isTrue();

    sleepUntil(expiry);
    Path[] tickets = version.equals("-tls1_3")
        ? new Path[] {issued, renewed} : new Path[] {issued};
    for (int i = 0; i < tickets.length; i++) {
      tickets[i] = OpenSslSessionFiles.ignoringLifetimeHint(tickets[i], dir.resolve("old" + i));
    }
    for (TicketTestNode node : new TicketTestNode[] {a, b}) {
      for (Path ticket : tickets) {
        long decrypted = ticketsDecrypted(node);
        OpenSslClient.Result r = TicketTestNode.request(node.port(), version, ticket, null);
        assertThat(r.kind()).as("%s, %s past the lifetime: %s", node.name,
            ticket.getFileName(), r.output()).isEqualTo("New");
        TlsTestServer.Handshake<Boolean> h = node.server.nextHandshake(WAIT);
        assertThat(h.success()).as(String.valueOf(h.cause())).isTrue();
        assertThat(h.resumption()).isFalse();
        // The client did present it and its key is still installed: the lifetime refused it.
        assertThat(ticketsDecrypted(node)).as("tickets %s decrypted", node.name)
            .isEqualTo(decrypted + 1);
      }
    }
  }

  @ParameterizedTest(name = "JDK client {0}")
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void jdkClientResumesOnTheOtherNodeWithinTheLifetimeAndNotAfterIt(String protocol)
      throws Exception {
    TicketJdkClient client = new TicketJdkClient(env.group(), protocol, env.cert().certificate());

    assertThat(client.get(a.port(), WAIT)).contains("served by A");
    Instant expiry = Instant.now().plus(PAST_THE_LIFETIME);
    assertThat(a.server.nextHandshake(WAIT).resumption()).isFalse();

    assertThat(client.get(b.port(), WAIT)).contains("served by B");
    assertThat(b.server.nextHandshake(WAIT).resumption()).as("young ticket on B").isTrue();

    sleepUntil(expiry);
    assertThat(client.get(b.port(), WAIT)).contains("served by B");
    TlsTestServer.Handshake<Boolean> late = b.server.nextHandshake(WAIT);
    assertThat(late.protocol()).isEqualTo(protocol);
    assertThat(late.resumption()).as("past the lifetime on B").isFalse();
  }

  @ParameterizedTest(name = "openssl s_client {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void lifetimeHintIsAtMostTheLifetime(String version) throws Exception {
    Path issued = dir.resolve("issued.session");
    TicketTestNode.request(a.port(), version, null, issued);
    assertThat(OpenSslSessionFiles.lifetimeHintSeconds(issued))
        .isPositive()
        .isLessThanOrEqualTo(LIFETIME.getSeconds());
    if (version.equals("-tls1_3")) { // a resumed TLS 1.3 session gets new tickets
      Path renewed = dir.resolve("renewed.session");
      OpenSslClient.Result r =
          TicketTestNode.request(b.port(), version, issued, renewed);
      assertThat(r.reused()).as(r.output()).isTrue();
      assertThat(OpenSslSessionFiles.lifetimeHintSeconds(renewed))
          .isPositive()
          .isLessThanOrEqualTo(LIFETIME.getSeconds());
    }
  }

  /** The server only reads: the TLS 1.3 ticket still goes out right after the handshake. */
  @Test
  void tls13TicketArrivesWithoutApplicationData() throws Exception {
    Path session = dir.resolve("silent.session");
    assertThat(OpenSslClient.to(a.port()).args("-tls1_3").sessionOut(session).sessionWithoutSending(WAIT))
        .as("a NewSessionTicket within %s, with no application data", WAIT)
        .isTrue();
    assertThat(a.server.nextHandshake(WAIT).protocol()).isEqualTo("TLSv1.3");

    OpenSslClient.Result r = TicketTestNode.request(b.port(), "-tls1_3", session, null);
    assertThat(r.reused()).as(r.output()).isTrue();
  }

  /**
   * A framework that wraps {@code newEngine(..)} in an {@code SslHandler} of its own: its TLS 1.3
   * sessions cannot be bounded, so its engines issue no ticket and resume none.
   */
  @ParameterizedTest(name = "openssl s_client {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void enginesFromNewEngineIssueAndAcceptNoTickets(String version) throws Exception {
    try (TlsTestServer<Boolean> engines = TicketTestNode.serve(b.rotator.sslContext(), env.group(),
        "engines").pipeline(TlsTestServer.Pipeline.OWN_HANDLER_AROUND_NEW_ENGINE).start()) {
      Path fromA = dir.resolve("a.session");
      TicketTestNode.request(a.port(), version, null, fromA);
      a.server.nextHandshake(WAIT);

      OpenSslClient.Result r = TicketTestNode.request(engines.port(), version, fromA, null);
      assertThat(r.kind()).as(r.output()).isEqualTo("New");
      assertThat(r.output()).doesNotContain("TLS session ticket");
      TlsTestServer.Handshake<Boolean> h = engines.nextHandshake(WAIT);
      assertThat(h.success()).as(String.valueOf(h.cause())).isTrue();
      assertThat(h.resumption()).isFalse();
    }
  }
}
