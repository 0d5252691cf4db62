package io.github.shredcache.demo;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * {@code --engine jdk}: Netty's JDK provider with its own node-local session cache. No resumption
 * across nodes; a baseline for comparisons. A handshake counts as resumed when its
 * {@link SSLSession} was seen by an earlier handshake (exact for TLS 1.2 session IDs).
 */
final class JdkNodeTls implements NodeTls {
  private final SslContext context;
  private final Set<SSLSession> seen = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  JdkNodeTls(Setup setup) throws SSLException {
    this.context = SslContextBuilder.forServer(setup.certChainPem(), setup.keyPem())
        .sslProvider(SslProvider.JDK)
        .protocols("TLSv1.3", "TLSv1.2")
        .sessionTimeout(setup.sessionLifetime().getSeconds())
        .build();
  }

  @Override
  public Engine engine() {
    return Engine.JDK;
  }

  @Override
  public void addHandlers(ChannelPipeline pipeline) {
    pipeline.addLast("ssl", context.newHandler(pipeline.channel().alloc()));
  }

  @Override
  public Handshake handshake(SSLEngine engine) {
    return seen.add(engine.getSession()) ? Handshake.FULL : Handshake.RESUMED_LOCAL;
  }
}
