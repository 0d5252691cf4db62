package io.github.shredcache.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.Buffer;
import io.netty.internal.tcnative.SSL;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SslHandler} of ticket mode ({@link TicketServerContext#newHandler}), over Netty's own
 * OpenSSL engine. It behaves as Netty's handler and adds two things:
 *
 * <ul>
 *   <li><b>Session lifetime.</b> Before every read while handshaking, the session BoringSSL is
 *       building gets the lifetime {@code min(its lifetime, ticketLifetimeSeconds)} ({@code
 *       SSL_SESSION_set_timeout}, which sets its authentication timeout too). BoringSSL mints TLS
 *       1.3 tickets when it reads the client's Finished, which can only come after the server's
 *       Finished, that is after the session exists: so every ticket says, and carries, at most the
 *       ticket lifetime instead of BoringSSL's two days. A resumed session keeps what is left of
 *       its original lifetime (BoringSSL renews it at most up to its authentication timeout), so
 *       the clamp never lengthens anything. TLS 1.2 sessions already have the context's timeout.
 *   <li><b>Tickets right after the handshake.</b> BoringSSL queues the TLS 1.3 NewSessionTicket
 *       messages until the next {@code SSL_write}, and Netty's {@code SslHandler} calls it only with
 *       application data. When a TLS 1.3 handshake completes, the handler makes a zero-length write
 *       and flushes, on the event loop, so the tickets leave at once.
 * </ul>
 *
 * <p>Unlike Netty's own handler it does not re-validate a resumed client's certificate chain with a
 * {@code ResumableX509ExtendedTrustManager} (Netty passes that hook only to its own handlers). One
 * instance per channel; everything runs on the channel's event loop.
 */
final class TicketSslHandler extends SslHandler {
  private static final Logger logger = LoggerFactory.getLogger(TicketSslHandler.class);

  /** A zero-length write releases queued handshake messages; a few rounds if they fill the BIO. */
  private static final int MAX_TICKET_WRITES = 8;

  /** What a zero-length SSL_write points at (never read; held so its memory stays allocated). */
  private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(1);
  private static final long EMPTY_ADDRESS = Buffer.address(EMPTY);

  private final ReferenceCountedOpenSslEngine openssl;
  private final long ticketLifetimeSeconds;
  private boolean handshakeDone;

  TicketSslHandler(ReferenceCountedOpenSslEngine engine, boolean startTls, Executor executor,
      int ticketLifetimeSeconds) {
    super(engine, startTls, executor);
    this.openssl = engine;
    this.ticketLifetimeSeconds = ticketLifetimeSeconds;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    handshakeFuture().addListener(done -> {
      handshakeDone = true;
      if (done.isSuccess()) {
        sendTicketsSoon(ctx);
      }
    });
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws SSLException {
    if (!handshakeDone) {
      capSessionLifetime();
    }
    super.decode(ctx, in, out);
  }

  /** Caps the lifetime of the session being negotiated; nothing before the session exists. */
  private void capSessionLifetime() {
    synchronized (openssl) { // the engine's own lock; keeps the native SSL alive
      long ssl = openssl.sslPointer();
      if (ssl != 0 && SSL.getTimeout(ssl) > ticketLifetimeSeconds) {
        SSL.setTimeout(ssl, ticketLifetimeSeconds);
      }
    }
  }

  /** After the handshake listeners and the read that completed it: releases the TLS 1.3 tickets. */
  private void sendTicketsSoon(ChannelHandlerContext ctx) {
    if (!"TLSv1.3".equals(openssl.getSession().getProtocol())) {
      return; // TLS 1.2 tickets are part of the handshake
    }
    try {
      ctx.executor().execute(() -> sendTickets(ctx));
    } catch (RejectedExecutionException e) {
      // The event loop is shutting down: the connection goes with it.
    }
  }

  private void sendTickets(ChannelHandlerContext ctx) {
    for (int round = 0; round < MAX_TICKET_WRITES && !ctx.isRemoved(); round++) {
      boolean more;
      synchronized (openssl) {
        long ssl = openssl.sslPointer();
        if (ssl == 0 || openssl.isOutboundDone()) {
          return;
        }
        int written = SSL.writeToSSL(ssl, EMPTY_ADDRESS, 0);
        more = written < 0 && SSL.getError(ssl, written) == SSL.SSL_ERROR_WANT_WRITE;
        SSL.clearError();
      }
      try {
        flush(ctx); // wraps what the write put into the engine's BIO
      } catch (Exception e) {
        logger.debug("could not flush the session tickets: {}", e.toString());
        return;
      }
      if (!more) {
        return;
      }
    }
  }
}
