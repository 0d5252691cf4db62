package io.github.shredcache.demo.node;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SslHandler;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * {@code --engine jdk}: Netty's JDK provider with its own node-local session cache. No resumption
 * across nodes; a baseline for comparisons. A handshake counts as resumed when its
 * {@link SSLSession} was created before the connection's engine was (the JDK keeps a resumed
 * session's creation time, whether resumed by session ID or by its stateless ticket).
 */
final class JdkNodeTls implements NodeTls {
  private final SslContext context;
  private final Map<SSLEngine, Long> createdAtMillis = Collections.synchronizedMap(new WeakHashMap<>());

  JdkNodeTls(Setup setup) throws SSLException {
    this.context = SslContextBuilder.forServer(setup.key(), setup.certChainArray())
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
  public SslHandler newHandler(ByteBufAllocator alloc) {
    SslHandler handler = context.newHandler(alloc);
    createdAtMillis.put(handler.engine(), System.currentTimeMillis());
    return handler;
  }

  @Override
  public Handshake handshake(SSLEngine engine) {
    Long created = createdAtMillis.remove(engine);
    SSLSession session = engine.getSession();
    return created != null && session.getCreationTime() < created ? Handshake.RESUMED_LOCAL : Handshake.FULL;
  }
}
