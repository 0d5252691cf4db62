package io.github.shredcache.demo.node;

import io.github.shredcache.demo.cli.UsageException;
import io.github.shredcache.netty.ShredcacheSslContext;
import io.github.shredcache.netty.ShredcacheSslContextBuilder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * {@code --engine bc}: Bouncy Castle TLS through {@link ShredcacheSslContext}, with the node's
 * cluster-wide session cache. TLS 1.2 sessions resume on any node of the cluster (session IDs);
 * TLS 1.3 clients get full handshakes on this engine.
 */
final class BcNodeTls implements NodeTls {
  private final ShredcacheSslContext context;

  private BcNodeTls(ShredcacheSslContext context) {
    this.context = context;
  }

  static NodeTls create(Setup setup) throws SSLException {
    try {
      return new BcNodeTls(ShredcacheSslContextBuilder.forServer(setup.key(), setup.certChainArray())
          .sessionCache(setup.cache())
          .build());
    } catch (IllegalStateException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Override
  public Engine engine() {
    return Engine.BC;
  }

  @Override
  public String description() {
    return "bc (server signatures through " + context.signatureProvider() + ")";
  }

  @Override
  public SslHandler newHandler(ByteBufAllocator alloc) {
    return context.newHandler(alloc); // prefetches sessions sealed by other nodes
  }

  @Override
  public Handshake handshake(SSLEngine engine) {
    return switch (ShredcacheSslContext.resumption(engine)) {
      case FULL -> Handshake.FULL;
      case RESUMED_LOCAL -> Handshake.RESUMED_LOCAL;
      case RESUMED_SHARED -> Handshake.RESUMED_SHARED;
    };
  }
}
