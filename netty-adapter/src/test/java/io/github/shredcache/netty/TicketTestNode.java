package io.github.shredcache.netty;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;

/**
 * A ticket-mode node for tests: its own OpenSSL server context, ratchet and rotator, behind a
 * {@link TicketTestServer} on its own port that serves with {@link TicketKeyRotator#sslContext()}.
 * Closing the node closes its ratchet.
 */
final class TicketTestNode implements AutoCloseable {

  final String name;
  final KeyRatchet ratchet;
  final SslContext context;
  final TicketKeyRotator rotator;
  final TicketTestServer server;

  private TicketTestNode(
      String name,
      KeyRatchet ratchet,
      SslContext context,
      TicketKeyRotator rotator,
      TicketTestServer server) {
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
      SelfSignedCertificate cert,
      EventLoopGroup group)
      throws Exception {
    return start(name, KeyRatchet.fromToken(token, maxSessionLifetime, clock), cert, group);
  }

  /** Starts a node over {@code ratchet} (e.g. one on a fake clock and scheduler), without client auth. */
  static TicketTestNode start(
      String name, KeyRatchet ratchet, SelfSignedCertificate cert, EventLoopGroup group)
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
    TicketTestServer server = TicketTestServer.start(rotator.sslContext(), group, name);
    return new TicketTestNode(name, ratchet, context, rotator, server);
  }

  /** Ticket mode's OpenSSL server context for {@code cert}, as {@link TicketSslContexts} presets it. */
  static SslContext openSslContext(SelfSignedCertificate cert) throws Exception {
    return TicketSslContexts.forServer(cert.key(), cert.cert()).build();
  }

  /** The identity of {@link #openSslContext}. */
  static ResumptionContext identity(SelfSignedCertificate cert) {
    return ResumptionContext.of(new X509Certificate[] {cert.cert()}, ClientAuth.NONE);
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
