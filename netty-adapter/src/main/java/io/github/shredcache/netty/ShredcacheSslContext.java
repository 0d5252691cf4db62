package io.github.shredcache.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ImmediateExecutor;
import java.util.List;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

/**
 * A server {@link SslContext} over Bouncy Castle's TLS whose TLS 1.2 sessions resume on any node
 * that shares the {@link io.github.shredcache.core.SessionCache}'s store and key ratchet.
 *
 * <pre>{@code
 * ShredcacheSslContext ssl = ShredcacheSslContextBuilder
 *     .forServer(new File("cert.pem"), new File("key.pem"))
 *     .sessionCache(cache)
 *     .applicationProtocols("h2", "http/1.1")
 *     .build();
 * // in the ChannelInitializer:
 * ssl.addHandlers(ch.pipeline());   // prefetch + SslHandler
 * }</pre>
 *
 * <h3>What resumes</h3>
 * TLS 1.2 clients that offer a session ID and the extended_master_secret extension resume
 * (abbreviated handshake) on any node. TLS 1.3 clients always get a full handshake: Bouncy
 * Castle's server has no TLS 1.3 resumption. Session tickets are not issued.
 *
 * <h3>Threading and ownership</h3>
 * Immutable and thread-safe; one context serves any number of channels. Each {@link #newEngine}
 * returns a new, unshared engine; nothing needs to be released. The context does not own the
 * session cache: close the cache yourself when the server stops.
 */
public final class ShredcacheSslContext extends SslContext {
  private final ServerConfig config;

  ShredcacheSslContext(ServerConfig config) {
    super(false);
    this.config = config;
  }

  @Override
  public boolean isClient() {
    return false;
  }

  @Override
  public List<String> cipherSuites() {
    return config.cipherSuiteNames;
  }

  /** Returns the configured ALPN protocols. */
  @Deprecated
  @Override
  public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
    return () -> config.alpnNames;
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc) {
    return new ShredcacheSslEngine(config, null, -1);
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
    return new ShredcacheSslEngine(config, peerHost, peerPort);
  }

  @Override
  public SSLSessionContext sessionContext() {
    return config.sessionContext;
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
    return handler(newEngine(alloc), startTls, ImmediateExecutor.INSTANCE);
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls, Executor executor) {
    return handler(newEngine(alloc), startTls, executor);
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort,
      boolean startTls) {
    return handler(newEngine(alloc, peerHost, peerPort), startTls, ImmediateExecutor.INSTANCE);
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort,
      boolean startTls, Executor executor) {
    return handler(newEngine(alloc, peerHost, peerPort), startTls, executor);
  }

  private SslHandler handler(SSLEngine engine, boolean startTls, Executor executor) {
    return new ShredcacheSslHandler(engine, startTls, executor, config.cache,
        config.prefetchTimeout, config.protocolNames.contains(ServerConfig.TLS13));
  }

  /**
   * Adds {@link #newHandler(ByteBufAllocator) newHandler(pipeline.channel().alloc())} as {@code
   * "ssl"} at the end of {@code pipeline}.
   *
   * @deprecated the handler {@code newHandler} returns does the ClientHello prefetch itself; add it
   *     the way the framework does, e.g. {@code pipeline.addLast(ssl.newHandler(ch.alloc()))}.
   */
  @Deprecated
  public void addHandlers(ChannelPipeline pipeline) {
    pipeline.addLast("ssl", newHandler(pipeline.channel().alloc()));
  }

  /**
   * Returns how the handshake of {@code engine} went: {@link Resumption#FULL} until a handshake
   * completed, and for every engine not made by a {@code ShredcacheSslContext}.
   */
  public static Resumption resumption(SSLEngine engine) {
    return engine instanceof ShredcacheSslEngine
        ? ((ShredcacheSslEngine) engine).resumption()
        : Resumption.FULL;
  }

  @Override
  public String toString() {
    return "ShredcacheSslContext[" + config.protocolNames + ", " + config.cipherSuiteNames
        + ", cache=" + (config.cache != null) + "]";
  }
}
