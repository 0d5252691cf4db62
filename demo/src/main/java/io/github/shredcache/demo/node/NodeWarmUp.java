package io.github.shredcache.demo.node;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Makes a node fast from its first client: before the node listens, it runs TLS handshakes and
 * {@code GET /} against two private copies of its own pipeline on loopback ports, so the JIT has
 * compiled the handshake path (certificate signing, key agreement, the TLS state machine, sealing
 * and opening sessions) before a load balancer sends real traffic. A cold JVM node is several times
 * slower for its first seconds; a node that joins a loaded cluster would otherwise answer its first
 * clients slowly, exactly when it was started to take load.
 *
 * <p>The copies use the node's engine, certificate and key ratchet but session caches of their own
 * that share a store in this node's memory: warm-up sessions never reach the cluster's store and
 * never count in the node's metrics. Clients make full handshakes and resume them on the same copy
 * (the local path) and on the other copy (the shared-store path a cross-node resumption takes),
 * TLS 1.2 and TLS 1.3, on one thread per core, and trust exactly the node's certificate chain.
 */
final class NodeWarmUp {
  private static final int CONNECTION_TIMEOUT_MILLIS = 10_000;
  /** Connections a client round: TLS 1.2 full, resumed on the same copy, on the other; then TLS 1.3. */
  private static final int ROUND = 6;
  private static final int MAX_PAGE_CHARS = 16 * 1024;
  private static final String RESUMPTION_LINE = "\nresumption: ";
  private static final byte[] REQUEST =
      "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** What a warm-up did: counts only, for the start log line. */
  record Result(int full, int resumed, int resumedFromStore, int failed, Duration took) {
    int handshakes() {
      return full + resumed;
    }
  }

  private NodeWarmUp() {}

  /**
   * Serves each of {@code copies} on a loopback port of {@code workers} and runs clients against
   * them for about {@code budget}; returns when every client stopped and the ports are closed.
   *
   * @param copies warm-up copies of the node's TLS setup (session caches of their own that share a
   *     store); not closed here
   * @param discarded metrics the warm-up connections count in, not the node's
   * @param chain the node's certificate chain, the clients' only trust anchors
   */
  static Result run(String nodeName, List<NodeTls> copies, NodeMetrics discarded, List<X509Certificate> chain,
      EventLoopGroup workers, Duration budget) throws InterruptedException, SSLException {
    long start = System.nanoTime();
    ChannelGroup channels = new DefaultChannelGroup("shredcache-warm-up", GlobalEventExecutor.INSTANCE);
    List<Channel> servers = new ArrayList<>();
    List<Bootstrap> clients = new ArrayList<>();
    try {
      for (NodeTls tls : copies) {
        Channel server = new ServerBootstrap()
            .group(workers)
            .channel(NioServerSocketChannel.class)
            .childHandler(new NodePipeline(nodeName, tls, discarded, channels))
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        servers.add(server);
        clients.add(new Bootstrap().group(workers).channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECTION_TIMEOUT_MILLIS)
            .remoteAddress(server.localAddress()));
      }
      Counts counts = runClients(clients, chain, budget);
      return new Result(counts.full.get(), counts.resumed.get(), counts.fromStore.get(), counts.failed.get(),
          Duration.ofNanos(System.nanoTime() - start));
    } finally {
      for (Channel server : servers) {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
      }
      channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
  }

  private static Counts runClients(List<Bootstrap> copies, List<X509Certificate> chain, Duration budget)
      throws InterruptedException, SSLException {
    SslContext tls12 = clientContext(chain, "TLSv1.2");
    SslContext tls13 = clientContext(chain, "TLSv1.3");
    Counts counts = new Counts();
    long deadline = System.nanoTime() + budget.toNanos(); // the client contexts are made
    int lanes = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(lanes, r -> {
      Thread t = new Thread(r, "shredcache-warm-up");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < lanes; i++) {
        String lane = "warm-up-" + i;
        running.add(pool.submit(() -> {
          clientLoop(copies, tls12, tls13, lane, deadline, counts);
          return null;
        }));
      }
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          counts.failed.incrementAndGet();
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return counts;
  }

  private static SslContext clientContext(List<X509Certificate> chain, String protocol) throws SSLException {
    return SslContextBuilder.forClient()
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .protocols(protocol)
        .trustManager(chain.toArray(new X509Certificate[0]))
        // the node's own loopback port: the chain is checked, the host name cannot apply
        .endpointIdentificationAlgorithm(null)
        .build();
  }

  /**
   * One sequential client: {@link #ROUND} connections a round, per protocol (TLS 1.2, then TLS 1.3)
   * a full handshake on the first copy, its resumption there and on the other copy (engines that
   * cannot resume a protocol just do another full one). At least one round, then stops at the
   * deadline. Netty's OpenSSL client where it loads: native, so the warm-up CPU goes to the node.
   */
  private static void clientLoop(List<Bootstrap> copies, SslContext tls12, SslContext tls13, String lane,
      long deadline, Counts counts) throws InterruptedException {
    for (int i = 0; i < ROUND || System.nanoTime() < deadline; i++) {
      int step = i % ROUND;
      SslContext context = step < ROUND / 2 ? tls12 : tls13;
      // The client caches sessions by peer key: a new key makes a full handshake on the first
      // copy, the next connection offers that session to the same copy, the one after to the other
      // copy, which fetches it from the store they share.
      Bootstrap bootstrap = copies.get(step % (ROUND / 2) == 2 ? copies.size() - 1 : 0);
      SslHandler ssl = context.newHandler(ByteBufAllocator.DEFAULT, lane + "-" + (i / (ROUND / 2)), 1);
      PageReader reader = new PageReader();
      ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel ch) {
          ch.pipeline().addLast(ssl, reader);
        }
      }).connect();
      String page;
      try {
        page = reader.page.get(CONNECTION_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        connect.channel().close();
        counts.failed.incrementAndGet();
        continue;
      }
      counts.add(resumption(page));
    }
  }

  /** The page's {@code resumption:} line (see {@link NodePipeline}), or null without one. */
  private static @Nullable Handshake resumption(String page) {
    int at = page.indexOf(RESUMPTION_LINE);
    if (at < 0) {
      return null;
    }
    int from = at + RESUMPTION_LINE.length();
    int end = page.indexOf('\n', from);
    try {
      return Handshake.valueOf(page.substring(from, end < 0 ? page.length() : end).strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static final class Counts {
    final AtomicInteger full = new AtomicInteger();
    final AtomicInteger resumed = new AtomicInteger();
    final AtomicInteger fromStore = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    void add(@Nullable Handshake how) {
      if (how == null) {
        failed.incrementAndGet();
        return;
      }
      (how == Handshake.FULL ? full : resumed).incrementAndGet();
      if (how == Handshake.RESUMED_SHARED) {
        fromStore.incrementAndGet();
      }
    }
  }

  /** Sends {@code GET /} after the handshake and collects the answer until the server closes. */
  private static final class PageReader extends ChannelInboundHandlerAdapter {
    final CompletableFuture<String> page = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        if (e.isSuccess()) {
          ctx.writeAndFlush(Unpooled.wrappedBuffer(REQUEST));
        } else {
          page.completeExceptionally(e.cause());
          ctx.close();
        }
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        if (text.length() < MAX_PAGE_CHARS) {
          text.append(buf.toString(StandardCharsets.UTF_8));
        }
      } finally {
        buf.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      page.complete(text.toString());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      page.completeExceptionally(cause);
      ctx.close();
    }
  }
}
