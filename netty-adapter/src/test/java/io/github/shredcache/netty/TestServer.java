package io.github.shredcache.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A Netty echo server on 127.0.0.1 using a {@link ShredcacheSslContext}; records handshakes. */
final class TestServer implements AutoCloseable {
  /** What one server-side handshake reported. */
  record Handshake(boolean success, Resumption resumption, String protocol, String cipherSuite,
      String alpn, Throwable cause, String peer) {}

  private static String peer(javax.net.ssl.SSLSession session) {
    try {
      return session.getPeerPrincipal().getName();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return null;
    }
  }

  final BlockingQueue<Handshake> handshakes = new LinkedBlockingQueue<>();
  /** Successful handshakes by {@link Resumption}, counted even when not recording. */
  final java.util.Map<Resumption, java.util.concurrent.atomic.LongAdder> counts =
      new java.util.EnumMap<>(Resumption.class);
  private final EventLoopGroup group;
  private final Channel server;

  private final boolean record;

  /** How the server puts TLS into its pipeline. */
  enum Tls {
    /** {@code ssl.newHandler(ch.alloc())}, as plain Netty and Reactor Netty do. */
    NEW_HANDLER,
    /** {@code new SslHandler(ssl.newEngine(ch.alloc()))}, as grpc-java and Vert.x do. */
    OWN_HANDLER_AROUND_NEW_ENGINE
  }

  private TestServer(ShredcacheSslContext ssl, int threads, boolean record, Tls tls)
      throws InterruptedException {
    this.record = record;
    for (Resumption r : Resumption.values()) {
      counts.put(r, new java.util.concurrent.atomic.LongAdder());
    }
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    this.server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast("ssl", tls == Tls.NEW_HANDLER ? ssl.newHandler(ch.alloc())
                : new SslHandler(ssl.newEngine(ch.alloc())));
            ch.pipeline().addLast("echo", new Echo());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  static TestServer start(ShredcacheSslContext ssl) throws InterruptedException {
    return new TestServer(ssl, 1, true, Tls.NEW_HANDLER);
  }

  static TestServer start(ShredcacheSslContext ssl, Tls tls) throws InterruptedException {
    return new TestServer(ssl, 1, true, tls);
  }

  /** A server that does not record handshakes (for long runs). */
  static TestServer start(ShredcacheSslContext ssl, boolean record) throws InterruptedException {
    return new TestServer(ssl, 1, record, Tls.NEW_HANDLER);
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  Handshake nextHandshake() throws InterruptedException {
    Handshake h = handshakes.poll(10, TimeUnit.SECONDS);
    if (h == null) {
      throw new AssertionError("no server-side handshake within 10 s");
    }
    return h;
  }

  EventLoopGroup group() {
    return group;
  }

  @Override
  public void close() throws InterruptedException {
    server.close().sync();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
  }

  private final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent) {
        SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
        SslHandler h = ctx.pipeline().get(SslHandler.class);
        if (e.isSuccess()) {
          counts.get(ShredcacheSslContext.resumption(h.engine())).increment();
        }
        if (!record) {
          ctx.fireUserEventTriggered(evt);
          return;
        }
        if (e.isSuccess()) {
          handshakes.add(new Handshake(true, ShredcacheSslContext.resumption(h.engine()),
              h.engine().getSession().getProtocol(), h.engine().getSession().getCipherSuite(),
              h.applicationProtocol(), null, peer(h.engine().getSession())));
        } else {
          handshakes.add(new Handshake(false, Resumption.FULL, null, null, null, e.cause(),
              null));
        }
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
