package io.github.shredcache.netty;

import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLEngine;

/**
 * An {@link SslHandler} that reports ALPN through the engine's public {@link
 * SSLEngine#getApplicationProtocol()}: Netty's own {@link SslHandler#applicationProtocol()} only
 * answers for engines implementing a package-private interface, which ours cannot. With this
 * override {@code ApplicationProtocolNegotiationHandler} works unchanged.
 */
final class ShredcacheSslHandler extends SslHandler {
  ShredcacheSslHandler(SSLEngine engine, boolean startTls, Executor executor) {
    super(engine, startTls, executor);
  }

  @Override
  public String applicationProtocol() {
    String p = engine().getApplicationProtocol();
    return p == null || p.isEmpty() ? null : p;
  }
}
