package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.bootstrap.Bootstrap;
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
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.internal.tcnative.SSL;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one shared store and a third outside it, concurrent BoringSSL clients that move
 * their session between them: per connection, the node's own account ({@link
 * ShredcacheSslContext#resumption}) must agree with the wire (the server echoed an ID the client
 * had), and the ID the client negotiated must be the server's. Offers to the outsider are
 * declined (full handshake, new ID): the case where Netty's OpenSSL engine reports the offered ID.
 */
class ResumptionAgreementTest {
  static final AttributeKey<Resumption> HOW = AttributeKey.valueOf("how");

  @Test
  void nodeAccountAgreesWithTheWire() throws Exception {
    assumeTrue(OpenSsl.isAvailable(), "netty-tcnative missing");
    TestCertificate cert = TestPki.localhost();
    String token = TestKeys.newToken(Duration.ofHours(1));
    InMemorySessionStore store = new InMemorySessionStore();
    SessionCache ca = TestKeys.realTimeCache(token, store, Duration.ofSeconds(1));
    SessionCache cb = TestKeys.realTimeCache(token, store, Duration.ofSeconds(1));
    // A node outside the cluster (own store and keys): what it is offered, it cannot resume.
    SessionCache cc = TestKeys.realTimeCache(TestKeys.newToken(Duration.ofHours(1)),
        new InMemorySessionStore(), Duration.ofSeconds(1));
    EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    List<Channel> servers = new ArrayList<>();
    try {
      for (SessionCache c : List.of(ca, cb, cc)) {
        ShredcacheSslContext ssl = ShredcacheSslContextBuilder
            .forServer(cert.certificateFile(), cert.privateKeyFile()).sessionCache(c).build();
        servers.add(new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                ch.pipeline().addLast(new Page());
              }
            }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel());
      }
      SslContext client = SslContextBuilder.forClient()
          .sslProvider(SslProvider.OPENSSL)
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .endpointIdentificationAlgorithm(null)
          .protocols("TLSv1.2").build();
      int slots = 4;
      int perSlot = 12;
      AtomicInteger disagreements = new AtomicInteger();
      AtomicInteger resumedWire = new AtomicInteger();
      AtomicInteger idMismatch = new AtomicInteger();
      List<String> examples = java.util.Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(slots);
      List<Future<?>> fs = new ArrayList<>();
      for (int s = 0; s < slots; s++) {
        String key = "slot-" + s;
        int s0 = s;
        fs.add(pool.submit(() -> {
          Set<String> seen = new HashSet<>();
          for (int i = 0; i < perSlot; i++) {
            Channel server = servers.get((s0 + i) % 3);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            String[] r = connect(clientGroup, client, key, port);
            if (!r[0].equals(r[2])) {
              idMismatch.incrementAndGet();
              examples.add(key + "#" + i + " client ID " + r[0].substring(0, 8) + " server ID "
                  + r[2].substring(0, 8) + " node=" + r[1]);
            }
            boolean wire = seen.contains(r[0]);
            seen.add(r[0]);
            boolean node = r[1].startsWith("RESUMED");
            if (wire) {
              resumedWire.incrementAndGet();
            }
            if (wire != node) {
              disagreements.incrementAndGet();
              examples.add(key + "#" + i + " wire=" + wire + " node=" + r[1]);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(resumedWire.get()).isGreaterThan(0);
      assertThat(examples).isEmpty();
    } finally {
      for (Channel c : servers) {
        c.close().sync();
      }
      serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      ca.close();
      cb.close();
      cc.close();
      cert.close();
    }
  }

  /** Returns {session ID hex, the node's account}. */
  static String[] connect(EventLoopGroup group, SslContext client, String key, int port)
      throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicReference<byte[]> wireId =
        new java.util.concurrent.atomic.AtomicReference<>();
    SslHandler ssl = client.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, key, 1);
    Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(ssl).addLast(new ChannelInboundHandlerAdapter() {
              final StringBuilder sb = new StringBuilder();

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
                  // Not getSession().getId(): Netty's OpenSSL engine keeps the ID of the session
                  // it offered when the server declines it (full handshake, new ID).
                  ReferenceCountedOpenSslEngine engine = (ReferenceCountedOpenSslEngine) ssl.engine();
                  synchronized (engine) {
                    wireId.set(SSL.getSessionId(engine.sslPointer()));
                  }
                  ctx.writeAndFlush(Unpooled.copiedBuffer("GET\n", StandardCharsets.US_ASCII));
                }
                ctx.fireUserEventTriggered(evt);
              }

              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                sb.append(b.toString(StandardCharsets.US_ASCII));
                b.release();
                if (sb.indexOf("\n") >= 0) {
                  answer.complete(sb.toString().trim());
                }
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                answer.completeExceptionally(new IllegalStateException("closed"));
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                answer.completeExceptionally(cause);
                ctx.close();
              }
            });
          }
        }).connect("127.0.0.1", port).sync().channel();
    String[] how = answer.get(20, TimeUnit.SECONDS).split(" ");
    byte[] id = wireId.get();
    ch.close().sync();
    return new String[] {HexFormat.of().formatHex(id), how[0], how[1]};
  }

  /** Remembers the account at the handshake event and answers it on the first read. */
  static final class Page extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
        ctx.channel().attr(HOW).set(
            ShredcacheSslContext.resumption(ctx.pipeline().get(SslHandler.class).engine()));
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ((ByteBuf) msg).release();
      Resumption how = ctx.channel().attr(HOW).get();
      String serverId = HexFormat.of().formatHex(
          ctx.pipeline().get(SslHandler.class).engine().getSession().getId());
      ctx.writeAndFlush(Unpooled.copiedBuffer((how == null ? "FULL(unset)" : how.name()) + " "
          + serverId + "\n",
          StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
