package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Netty's own client, on its JDK and OpenSSL providers, against the Bouncy Castle engine. */
class NettyClientResumptionTest {
  static TestCertificate cert;
  static EventLoopGroup clientGroup;

  @BeforeAll
  static void setUp() throws Exception {
    cert = TestPki.selfSigned("localhost", TestPki.KeyType.RSA_2048);
    clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void tearDown() throws Exception {
    cert.close();
    clientGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
  }

  /** Connects, echoes {@code payload}, returns the negotiated ALPN protocol as the client saw it. */
  static String echo(SslContext client, int port, byte[] payload) throws Exception {
    CompletableFuture<byte[]> done = new CompletableFuture<>();
    Channel ch = new Bootstrap().group(clientGroup).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(client.newHandler(ch.alloc(), "localhost", port));
            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
              final ByteBuf received = Unpooled.buffer(payload.length);

              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                received.writeBytes(msg);
                if (received.readableBytes() >= payload.length) {
                  byte[] b = new byte[received.readableBytes()];
                  received.readBytes(b);
                  received.release();
                  done.complete(b);
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                done.completeExceptionally(cause);
                ctx.close();
              }
            });
          }
        })
        .connect("127.0.0.1", port).sync().channel();
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    ssl.handshakeFuture().sync();
    ch.writeAndFlush(Unpooled.wrappedBuffer(payload));
    byte[] back = done.get(20, TimeUnit.SECONDS);
    assertThat(back).isEqualTo(payload);
    String alpn = ssl.applicationProtocol();
    ch.close().sync();
    return alpn;
  }

  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void fullThenResumedWithAlpnAndOneMebibyte(SslProvider provider) throws Exception {
    fullThenResumedWithAlpn(provider, TlsTestServer.Pipeline.NEW_HANDLER);
  }

  /** grpc-java's way: its own SslHandler around newEngine; ALPN must reach that handler too. */
  @ParameterizedTest
  @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
  void alpnAndResumptionThroughAPlainSslHandlerAroundNewEngine(SslProvider provider)
      throws Exception {
    fullThenResumedWithAlpn(provider, TlsTestServer.Pipeline.OWN_HANDLER_AROUND_NEW_ENGINE);
  }

  private void fullThenResumedWithAlpn(SslProvider provider, TlsTestServer.Pipeline tls)
      throws Exception {
    assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "netty-tcnative missing");
    MapSessionCache cache = new MapSessionCache();
    ShredcacheSslContext server = ShredcacheSslContextBuilder
        .forServer(cert.certificateFile(), cert.privateKeyFile())
        .sessionCache(cache)
        .applicationProtocols("h2", "http/1.1")
        .build();
    SslContext client = SslContextBuilder.forClient()
        .sslProvider(provider)
        .trustManager(InsecureTrustManagerFactory.INSTANCE)
        .protocols("TLSv1.2")
        .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
            SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
            "h2", "http/1.1"))
        .build();
    byte[] payload = new byte[1 << 20];
    new Random(2).nextBytes(payload);
    try (TlsTestServer<Resumption> s =
        TlsTestServer.builder(server, ShredcacheSslContext::resumption).pipeline(tls).start()) {
      assertThat(echo(client, s.port(), payload)).isEqualTo("h2");
      TlsTestServer.Handshake<Resumption> first = s.nextHandshake();
      assertThat(first.resumption()).isEqualTo(Resumption.FULL);
      assertThat(first.alpn()).isEqualTo("h2");
      assertThat(first.cipherSuite()).startsWith("TLS_ECDHE_RSA_WITH_");

      assertThat(echo(client, s.port(), payload)).isEqualTo("h2");
      TlsTestServer.Handshake<Resumption> second = s.nextHandshake();
      assertThat(second.resumption()).isEqualTo(Resumption.RESUMED_LOCAL);
      assertThat(second.alpn()).isEqualTo("h2");
      assertThat(second.protocol()).isEqualTo("TLSv1.2");
    }
  }
}
