package io.github.shredcache.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's own TLS client (SunJSSE {@code SSLEngine} under a Netty client channel) with one client
 * session cache for all its connections.
 *
 * <p>The JDK client caches sessions (TLS 1.3 PSKs from NewSessionTicket, TLS 1.2 tickets) under
 * the peer host and port given when the engine is created. Behind a load balancer a client sees
 * one address for every node; this client reproduces that by creating every engine for the same
 * {@code clusterHost:clusterPort} while connecting to the real port of the node under test.
 */
final class TicketJdkClient {

  static final String CLUSTER_HOST = "localhost";
  static final int CLUSTER_PORT = 8443;

  private final SslContext context;
  private final EventLoopGroup group;

  TicketJdkClient(EventLoopGroup group, String protocol, X509Certificate trusted) throws Exception {
    this.group = group;
    this.context =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .protocols(protocol)
            .trustManager(trusted)
            .build();
  }

  /** Connects to 127.0.0.1:{@code port}, sends one request and reads the answer to the end. */
  String get(int port, Duration timeout) throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    StringBuilder body = new StringBuilder();
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel c) {
                    SslHandler ssl = context.newHandler(c.alloc(), CLUSTER_HOST, CLUSTER_PORT);
                    c.pipeline().addLast(ssl);
                    c.pipeline()
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof SslHandshakeCompletionEvent) {
                                  SslHandshakeCompletionEvent e = (SslHandshakeCompletionEvent) evt;
                                  if (e.isSuccess()) {
                                    ctx.writeAndFlush(
                                        Unpooled.copiedBuffer(
                                            "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
                                            StandardCharsets.US_ASCII));
                                  } else {
                                    answer.completeExceptionally(e.cause());
                                  }
                                }
                                ctx.fireUserEventTriggered(evt);
                              }

                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf buf = (ByteBuf) msg;
                                try {
                                  body.append(buf.toString(StandardCharsets.US_ASCII));
                                } finally {
                                  buf.release();
                                }
                              }

                              @Override
                              public void channelInactive(ChannelHandlerContext ctx) {
                                answer.complete(body.toString());
                              }

                              @Override
                              public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
                                answer.completeExceptionally(t);
                                ctx.close();
                              }
                            });
                  }
                })
            .connect(new InetSocketAddress("127.0.0.1", port))
            .sync()
            .channel();
    try {
      return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      ch.close().sync();
    }
  }
}
