package io.github.shredcache.netty;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;

/**
 * A ticket-mode node for tests: its own OpenSSL server context, ratchet and rotator, behind a
 * {@link TlsTestServer} on its own port that serves with {@link TicketKeyRotator#sslContext()}.
 * Closing the node closes its ratchet.
 */
final class TicketTestNode implements AutoCloseable {

  final String name;
  final KeyRatchet ratchet;
  final SslContext context;
  final TicketKeyRotator rotator;
  final TlsTestServer<Boolean> server;

  private TicketTestNode(
      String name,
      KeyRatchet ratchet,
      SslContext context,
      TicketKeyRotator rotator,
      TlsTestServer<Boolean> server) {
    this.name = name;
    this.ratchet = ratchet;
    this.context = context;
    this.rotator = rotator;
    this.server = server;
  }

  /**
   * Starts a node from {@code token} (which the ratchet destroys), without client auth, on the
   * library's ratchet scheduler (real time).
   */
  static TicketTestNode start(
      String name,
      KeyToken token,
      Duration maxSessionLifetime,
      InstantSource clock,
      TestCertificate cert,
      EventLoopGroup group)
      throws Exception {
    return start(name, KeyRatchet.fromToken(token, maxSessionLifetime, clock), cert, group);
  }

  /** Starts a node over {@code ratchet} (e.g. one on a fake clock and scheduler), without client auth. */
  static TicketTestNode start(
      String name, KeyRatchet ratchet, TestCertificate cert, EventLoopGroup group)
      throws Exception {
    return start(name, ratchet, openSslContext(cert), identity(cert), group);
  }

  /** Starts a node over {@code context}, whose identity is {@code id}, on real time. */
  static TicketTestNode start(
      String name,
      KeyToken token,
      Duration maxSessionLifetime,
      InstantSource clock,
      SslContext context,
      ResumptionContext id,
      EventLoopGroup group)
      throws Exception {
    return start(name, KeyRatchet.fromToken(token, maxSessionLifetime, clock), context, id, group);
  }

  /** Starts a node over {@code ratchet} and {@code context}, whose identity is {@code id}. */
  static TicketTestNode start(
      String name,
      KeyRatchet ratchet,
      SslContext context,
      ResumptionContext id,
      EventLoopGroup group)
      throws Exception {
    TicketKeyRotator rotator = TicketKeyRotator.start(context, id, ratchet);
    TlsTestServer<Boolean> server = serve(rotator.sslContext(), group, name).start();
    return new TicketTestNode(name, ratchet, context, rotator, server);
  }

  /**
   * A server for {@code context} on {@code group} that answers one HTTP response and records
   * whether BoringSSL resumed each session; call {@code start()}.
   */
  static TlsTestServer.Builder<Boolean> serve(SslContext context, EventLoopGroup group,
      String name) {
    return TlsTestServer.builder(context, TicketKeyRotator::isResumed).eventLoopGroup(group)
        .httpReply(name);
  }

  /**
   * {@code openssl s_client} with {@code version} ("-tls1_3" or "-tls1_2"): offers {@code
   * sessionIn} if not null, sends one HTTP request and reads until the node closes (so it receives
   * TLS 1.3 tickets), writes its session to {@code sessionOut} if not null.
   *
   * @throws AssertionError if the handshake did not complete or no session was written
   */
  static OpenSslClient.Result request(int port, String version, Path sessionIn, Path sessionOut,
      String... extra) throws IOException, InterruptedException {
    return OpenSslClient.to(port).args(version).args(extra).sessionIn(sessionIn)
        .sessionOut(sessionOut).send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").handshake();
  }

  /** Ticket mode's OpenSSL server context for {@code cert}, as {@link TicketSslContexts} presets it. */
  static SslContext openSslContext(TestCertificate cert) throws Exception {
    return TicketSslContexts.forServer(cert.privateKey(), cert.certificate()).build();
  }

  /** The identity of {@link #openSslContext}. */
  static ResumptionContext identity(TestCertificate cert) {
    return ResumptionContext.of(new X509Certificate[] {cert.certificate()}, ClientAuth.NONE);
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() throws Exception {
    try {
      server.close();
    } finally {
      rotator.close();
      ratchet.close();
    }
  }
}
