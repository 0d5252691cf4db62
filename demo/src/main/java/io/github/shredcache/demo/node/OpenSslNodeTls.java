package io.github.shredcache.demo.node;

import io.github.shredcache.demo.cli.UsageException;
import io.github.shredcache.netty.ResumptionContext;
import io.github.shredcache.netty.TicketKeyRotator;
import io.github.shredcache.netty.TicketSslContexts;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * {@code --engine openssl}: ticket mode. Netty's OpenSSL provider (BoringSSL from
 * netty-tcnative-boringssl-static) resumes TLS 1.3 and TLS 1.2 from session tickets whose keys a
 * {@link TicketKeyRotator} derives from the node's ratchet and rotates every epoch: every node of the
 * chain opens every other node's tickets, nothing goes to memcached, and a ticket is dead everywhere
 * once its epoch has left the window. The session cache and store of the node are not used by this
 * engine.
 */
final class OpenSslNodeTls implements NodeTls {
  private final SslContext context;
  private final TicketKeyRotator rotator;

  private OpenSslNodeTls(SslContext context, TicketKeyRotator rotator) {
    this.context = context;
    this.rotator = rotator;
  }

  /**
   * Builds the OpenSSL server context and starts the ticket key rotation, which follows the node's
   * ratchet.
   *
   * @throws UsageException if netty-tcnative cannot be loaded on this platform
   */
  static OpenSslNodeTls create(Setup setup) throws SSLException {
    if (!OpenSsl.isAvailable()) {
      throw new UsageException("--engine openssl needs netty-tcnative-boringssl-static for "
          + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
          + " (it could not be loaded: " + OpenSsl.unavailabilityCause() + "); use --engine bc");
    }
    // TLS 1.3 and 1.2, ECDHE with AEAD suites only: the bc engine's policy.
    SslContext context = TicketSslContexts.forServer(setup.key(), setup.certChainArray()).build();
    ResumptionContext id = ResumptionContext.of(setup.certChainArray(), ClientAuth.NONE);
    // Sets the session ID context from id, the ticket lifetime to the ratchet's session lifetime,
    // and turns the stateful cache off; ticket keys are derived for id and follow the ratchet's
    // epochs. Connections are served by the rotator's context: its handlers bound TLS 1.3 tickets
    // to the lifetime and send them right after the handshake.
    TicketKeyRotator rotator = TicketKeyRotator.start(context, id, setup.ratchet());
    return new OpenSslNodeTls(rotator.sslContext(), rotator);
  }

  @Override
  public Engine engine() {
    return Engine.OPENSSL;
  }

  @Override
  public SslHandler newHandler(ByteBufAllocator alloc) {
    return context.newHandler(alloc);
  }

  @Override
  public Handshake handshake(SSLEngine engine) {
    return TicketKeyRotator.isResumed(engine) ? Handshake.RESUMED_TICKET : Handshake.FULL;
  }

  @Override
  public void close() {
    rotator.close();
  }
}
