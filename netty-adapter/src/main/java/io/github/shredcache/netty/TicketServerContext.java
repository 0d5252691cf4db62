package io.github.shredcache.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import io.netty.util.concurrent.ImmediateExecutor;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The context ticket mode serves with ({@link TicketKeyRotator#sslContext()}): a view of an OpenSSL
 * server context whose handlers are {@link TicketSslHandler}s (the TLS 1.3 session bounded by the
 * ticket lifetime, tickets sent right after the handshake) and whose standalone engines issue and
 * accept no tickets, since nothing can bound their TLS 1.3 sessions. Everything else (session
 * context, suites, ALPN) is the OpenSSL context's. Immutable and thread-safe.
 */
final class TicketServerContext extends SslContext {
  private static final Logger logger = LoggerFactory.getLogger(TicketServerContext.class);
  private static final AtomicBoolean warnedAboutEngines = new AtomicBoolean();

  private final SslContext openssl;
  private final int ticketLifetimeSeconds;

  TicketServerContext(SslContext openssl, int ticketLifetimeSeconds) {
    super(false);
    this.openssl = openssl;
    this.ticketLifetimeSeconds = ticketLifetimeSeconds;
  }

  @Override
  public boolean isClient() {
    return false;
  }

  @Override
  public List<String> cipherSuites() {
    return openssl.cipherSuites();
  }

  @Deprecated
  @Override
  public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
    return openssl.applicationProtocolNegotiator();
  }

  @Override
  public SSLSessionContext sessionContext() {
    return openssl.sessionContext();
  }

  /**
   * Returns an engine for an {@link SslHandler} the caller makes (as grpc-java does). It issues and
   * accepts no session tickets: its clients get full handshakes.
   */
  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc) {
    return withoutTickets(openssl.newEngine(alloc));
  }

  /** As {@link #newEngine(ByteBufAllocator)}, with the peer's host and port. */
  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
    return withoutTickets(openssl.newEngine(alloc, peerHost, peerPort));
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
    return newHandler(alloc, startTls, ImmediateExecutor.INSTANCE);
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls, Executor executor) {
    // Netty's own handler carries the engine Netty makes for handlers (not the strict SSLEngine-
    // contract one of newEngine); it is only a carrier and never joins a pipeline.
    return handler(openssl.newHandler(alloc, executor), startTls, executor);
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort,
      boolean startTls) {
    return newHandler(alloc, peerHost, peerPort, startTls, ImmediateExecutor.INSTANCE);
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort,
      boolean startTls, Executor executor) {
    return handler(openssl.newHandler(alloc, peerHost, peerPort, executor), startTls, executor);
  }

  private SslHandler handler(SslHandler carrier, boolean startTls, Executor executor) {
    return new TicketSslHandler(
        (ReferenceCountedOpenSslEngine) carrier.engine(), startTls, executor, ticketLifetimeSeconds);
  }

  private static SSLEngine withoutTickets(SSLEngine engine) {
    ReferenceCountedOpenSslEngine openssl = (ReferenceCountedOpenSslEngine) engine;
    synchronized (openssl) {
      SSL.setOptions(openssl.sslPointer(), SSL.SSL_OP_NO_TICKET);
    }
    if (warnedAboutEngines.compareAndSet(false, true)) {
      logger.info("ticket mode: engines from newEngine(..) (a framework that makes its own"
          + " SslHandler) issue and accept no session tickets, because the TLS 1.3 ticket lifetime"
          + " can only be bounded in the handler from newHandler(..); their clients get full"
          + " handshakes");
    }
    return engine;
  }

  @Override
  public String toString() {
    return "TicketServerContext[ticket lifetime " + ticketLifetimeSeconds + " s]";
  }
}
