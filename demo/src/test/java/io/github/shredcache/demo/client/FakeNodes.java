package io.github.shredcache.demo.client;

import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test fixture: TLS "nodes" on separate loopback ports that share one JDK server SslContext, so a
 * session made on one port really resumes on another. Each answers {@code GET /} in the demo
 * node's style (its name, the protocol, full or resumed and from where).
 */
public final class FakeNodes implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<Channel> servers = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final TestCertificate cert;
  private final SslContext ctx;
  /** Session ID (hex) to the node that issued it. */
  private final Map<String, String> issuedBy = new ConcurrentHashMap<>();
  private final String engineLine;

  public FakeNodes(int count) throws Exception {
    this(count, null);
  }

  /**
   * @param engine if not null, the pages say {@code engine: } this (e.g. {@code bc}: the load
   *     client then judges resumption by the session ID on the wire)
   */
  FakeNodes(int count, String engine) throws Exception {
    this.engineLine = engine == null ? "" : "engine: " + engine + "\n";
    cert = TestPki.localhost();
    ctx = SslContextBuilder.forServer(cert.certificateFile(), cert.privateKeyFile())
        .sslProvider(SslProvider.JDK).protocols("TLSv1.3", "TLSv1.2").build();
    for (int i = 0; i < count; i++) {
      String name = "fake-" + (char) ('a' + i);
      Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel c) {
              SslHandler ssl = ctx.newHandler(c.alloc());
              c.pipeline().addLast(ssl).addLast(new Answer(name, ssl));
            }
          }).bind("127.0.0.1", 0).sync().channel();
      servers.add(ch);
      ports.add(((InetSocketAddress) ch.localAddress()).getPort());
    }
  }

  public List<Integer> ports() {
    return ports;
  }

  String targets() {
    StringBuilder sb = new StringBuilder();
    for (int p : ports) {
      sb.append(sb.length() == 0 ? "" : ",").append("127.0.0.1:").append(p);
    }
    return sb.toString();
  }

  java.io.File certificate() {
    return cert.certificateFile();
  }

  @Override
  public void close() {
    for (Channel c : servers) {
      c.close().awaitUninterruptibly();
    }
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    ReferenceCountUtil.release(ctx);
    cert.close();
  }

  private final class Answer extends ChannelInboundHandlerAdapter {
    private final String name;
    private final SslHandler ssl;
    private String handshake = "full";
    private String resumption = "FULL";

    Answer(String name, SslHandler ssl) {
      this.name = name;
      this.ssl = ssl;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
        String id = HexFormat.of().formatHex(ssl.engine().getSession().getId());
        String issuer = issuedBy.putIfAbsent(id, name);
        if (issuer != null) {
          boolean local = issuer.equals(name);
          handshake = local ? "resumed (local cache)" : "resumed (shared store)";
          resumption = local ? "RESUMED_LOCAL" : "RESUMED_SHARED";
        }
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
      ReferenceCountUtil.release(msg);
      String body = "node: " + name + "\n" + engineLine + "protocol: " + ssl.engine().getSession().getProtocol()
          + "\nhandshake: " + handshake + "\nresumption: " + resumption + "\n";
      byte[] b = body.getBytes(StandardCharsets.US_ASCII);
      ByteBuf out = Unpooled.wrappedBuffer(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
          + "Content-Length: " + b.length + "\r\nConnection: close\r\n\r\n" + body)
          .getBytes(StandardCharsets.US_ASCII));
      c.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
