package io.github.shredcache.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ImmediateExecutor;
import java.util.List;
import java.util.concurrent.Executor;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * A server {@link SslContext} over Bouncy Castle's TLS whose TLS 1.2 sessions resume on any node
 * that shares the {@link io.github.shredcache.core.SessionCache}'s store and key ratchet. Hand it
 * to the server through the framework's own TLS API, as any {@code SslContext}:
 *
 * <pre>{@code
 * ShredcacheSslContext ssl = ShredcacheSslContextBuilder
 *     .forServer(new File("cert.pem"), new File("key.pem"))
 *     .sessionCache(cache)
 *     .applicationProtocols("h2", "http/1.1")
 *     .build();
 *
 * ch.pipeline().addLast("ssl", ssl.newHandler(ch.alloc()));   // plain Netty, in a ChannelInitializer
 * HttpServer.create().secure(spec -> spec.sslContext(ssl));   // Reactor Netty
 * NettyServerBuilder.forAddress(address).sslContext(ssl);     // grpc-java (ALPN "h2")
 * }</pre>
 *
 * <h3>Resumption across nodes</h3>
 * A session sealed by another node is in the shared store, and the TLS engine must have it at hand
 * when it reads the ClientHello. So the first ClientHello of every connection is held back while
 * {@code SessionCache.lookup} fetches its session ID asynchronously (front cache, then the store)
 * and goes to the engine when the lookup completed (within the store's own operation timeout):
 *
 * <ul>
 *   <li>every {@code newHandler(..)} overload returns an {@link SslHandler} that does this in the
 *       pipeline: it reassembles a ClientHello split over TCP segments and TLS records, holds at
 *       most 32 KiB, releases what it holds if the channel closes or the handler is removed, and
 *       reads on with {@code autoRead} off;
 *   <li>an engine from {@link #newEngine(ByteBufAllocator) newEngine(..)} does it itself when the
 *       caller wraps it in an {@code SslHandler} of its own (as grpc-java does), through the
 *       asynchronous delegated-task hook of Netty's {@code SslHandler}. Should a Netty version lack
 *       that hook, such engines resume only sessions already in this node's front cache, and a
 *       warning says so once.
 * </ul>
 *
 * A miss, the timeout, a store error, a TLS 1.3 offer or input that is not a ClientHello mean the
 * handshake goes on at once: a full handshake, or the engine's alert. Nothing blocks an event loop.
 *
 * <h3>What resumes</h3>
 * TLS 1.2 clients that offer a session ID and the extended_master_secret extension resume
 * (abbreviated handshake) on any node. TLS 1.3 clients always get a full handshake: Bouncy
 * Castle's server has no TLS 1.3 resumption. Session tickets are not issued.
 *
 * <h3>ALPN</h3>
 * {@link SslHandler#applicationProtocol()} reports the negotiated protocol both on the handlers of
 * {@code newHandler} and on any {@code SslHandler} around {@code newEngine} (such engines then come
 * inside Netty's own ALPN engine wrapper), so {@code ApplicationProtocolNegotiationHandler} and
 * grpc-java work unchanged.
 *
 * <h3>Threading and ownership</h3>
 * Immutable and thread-safe; one context serves any number of channels. Each {@link #newEngine}
 * returns a new, unshared engine and each {@code newHandler} a new handler; nothing needs to be
 * released. The context does not own the session cache: close the cache yourself when the server
 * stops.
 */
public final class ShredcacheSslContext extends SslContext {
  private final ServerConfig config;
  private final boolean tls13Enabled;
  /** Wraps standalone engines so that any {@link SslHandler} reads their ALPN; null without. */
  private final @Nullable JdkSslContext alpnEngines; // null: no ALPN

  ShredcacheSslContext(ServerConfig config) {
    super(false);
    this.config = config;
    this.tls13Enabled = config.protocolNames.contains(ServerConfig.TLS13);
    this.alpnEngines = config.alpnNames.isEmpty() ? null : new JdkSslContext(
        new StandaloneEngines(), false, config.cipherSuiteNames, IdentityCipherSuiteFilter.INSTANCE,
        new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, config.alpnNames),
        config.clientAuth, config.protocolNames.toArray(new String[0]), false);
  }

  /**
   * Where this context's server signatures are made: {@code "AmazonCorrettoCryptoProvider"} when
   * {@linkplain ShredcacheSslContextBuilder#nativeSigning(boolean) native signing} is in use,
   * otherwise {@code "JCA"} (the JDK's installed providers).
   */
  public String signatureProvider() {
    NativeSigner signer = config.nativeSigner;
    return signer == null ? "JCA" : signer.provider().getName();
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

  /**
   * Returns a new engine for an {@link SslHandler} the caller makes (as grpc-java and Vert.x do).
   * It holds the ClientHello back itself while the session is looked up, as an asynchronous
   * delegated task that Netty's {@code SslHandler} resumes on the event loop, and with ALPN
   * configured it comes wrapped so that {@link SslHandler#applicationProtocol()} reports the
   * negotiated protocol.
   */
  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc) {
    return alpnEngines != null ? alpnEngines.newEngine(alloc) : standalone(null, -1);
  }

  /** As {@link #newEngine(ByteBufAllocator)}, with the peer's host and port. */
  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
    return alpnEngines != null ? alpnEngines.newEngine(alloc, peerHost, peerPort)
        : standalone(peerHost, peerPort);
  }

  private ShredcacheSslEngine standalone(@Nullable String peerHost, int peerPort) {
    return new ShredcacheSslEngine(config, peerHost, peerPort,
        EnginePrefetch.create(config.cache, config.prefetchTimeout, tls13Enabled));
  }

  @Override
  public SSLSessionContext sessionContext() {
    return config.sessionContext;
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
    return handler(null, -1, startTls, ImmediateExecutor.INSTANCE);
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls, Executor executor) {
    return handler(null, -1, startTls, executor);
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort,
      boolean startTls) {
    return handler(peerHost, peerPort, startTls, ImmediateExecutor.INSTANCE);
  }

  @Override
  protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort,
      boolean startTls, Executor executor) {
    return handler(peerHost, peerPort, startTls, executor);
  }

  /** The handler prefetches, so its engine does not. */
  private SslHandler handler(
      @Nullable String peerHost, int peerPort, boolean startTls, Executor executor) {
    return new ShredcacheSslHandler(new ShredcacheSslEngine(config, peerHost, peerPort, null),
        startTls, executor, config.cache, config.prefetchTimeout, tls13Enabled);
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
   * Returns how the handshake of {@code engine} went (e.g. {@code
   * resumption(pipeline.get(SslHandler.class).engine())}): {@link Resumption#FULL} until a
   * handshake completed, and for every engine not made by a {@code ShredcacheSslContext}.
   */
  public static Resumption resumption(@Nullable SSLEngine engine) {
    if (engine instanceof ShredcacheSslEngine) {
      return ((ShredcacheSslEngine) engine).resumption();
    }
    // Netty's ALPN wrapper around a standalone engine: the session knows.
    return resumption(engine == null ? null : engine.getSession());
  }

  /**
   * Returns how the handshake that made {@code session} went, for frameworks that hand out the
   * {@link SSLSession} only (grpc-java: {@code Grpc.TRANSPORT_ATTR_SSL_SESSION}): {@link
   * Resumption#FULL} for every session not made by a {@code ShredcacheSslContext}.
   */
  public static Resumption resumption(@Nullable SSLSession session) {
    return session instanceof ShredcacheSslSession
        ? ((ShredcacheSslSession) session).resumption()
        : Resumption.FULL;
  }

  /** Makes standalone engines for Netty's ALPN wrapper ({@link JdkSslContext}). */
  private final class StandaloneEngines extends SSLContext {
    StandaloneEngines() {
      super(new SSLContextSpi() {
        @Override
        protected SSLEngine engineCreateSSLEngine() {
          return standalone(null, -1).forNettyAlpnWrapper();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
          return standalone(host, port).forNettyAlpnWrapper();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
          return config.sessionContext;
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
          throw new UnsupportedOperationException("server only");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
          throw new UnsupportedOperationException("configured by ShredcacheSslContextBuilder");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
          throw new UnsupportedOperationException("engines only");
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
          throw new UnsupportedOperationException("engines only");
        }
      }, null, "TLS");
    }
  }

  @Override
  public String toString() {
    return "ShredcacheSslContext[" + config.protocolNames + ", " + config.cipherSuiteNames
        + ", cache=" + (config.cache != null) + "]";
  }
}
