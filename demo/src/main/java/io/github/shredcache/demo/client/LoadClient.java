package io.github.shredcache.demo.client;

import io.github.shredcache.demo.client.ClientConfig.Provider;
import io.github.shredcache.demo.client.ClientConfig.ResumeMode;
import io.github.shredcache.demo.client.ClientConfig.Target;
import io.github.shredcache.demo.client.ClientReport.Kind;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * A TLS load client for demo nodes: makes a bounded number of real TLS connections, each doing a
 * handshake, one {@code GET /} and a close, and counts per node full handshakes and local and
 * cross-node resumptions from what the nodes answer.
 *
 * <p>Connections run on Netty's event loop with either Netty's OpenSSL (BoringSSL) engine or the
 * JDK's {@code SSLEngine}. Each of the {@code concurrency} slots runs its connections one after the
 * other and keeps its own session: the client's session cache is keyed by a per-slot name rather
 * than the target's address, which is what lets a slot offer, on node B, the session that node A
 * issued. The slot names contain no dot, so no SNI is sent.
 *
 * <p>A run is bounded by the connection count, {@link ClientConfig#maxDuration()} and a per
 * connection timeout. {@link #run} is not reentrant; make one {@code LoadClient} per run.
 */
final class LoadClient {
  private static final int MAX_RESPONSE_BYTES = 64 * 1024;
  /** The port part of the client session cache key; any fixed value works. */
  private static final int SLOT_KEY_PORT = 1;
  private static final byte[] REQUEST_TAIL =
      ("\r\nUser-Agent: shredcache-demo-client\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final ClientConfig config;
  private final ClientReport.Collector collector = new ClientReport.Collector();
  private final AtomicInteger issued = new AtomicInteger();
  private volatile long deadlineNanos;
  private volatile boolean stoppedByDuration;
  private SslContext sslContext;
  private Bootstrap bootstrap;
  private CountDownLatch slotsDone;
  private EventLoopGroup group;

  LoadClient(ClientConfig config) {
    this.config = config;
  }

  /** The provider AUTO resolves to on this machine. */
  static Provider resolve(Provider p) {
    if (p == Provider.AUTO) {
      return OpenSsl.isAvailable() ? Provider.OPENSSL : Provider.JDK;
    }
    if (p == Provider.OPENSSL && !OpenSsl.isAvailable()) {
      throw new IllegalArgumentException("--provider openssl: netty-tcnative does not load here ("
          + OpenSsl.unavailabilityCause() + "); use --provider jdk");
    }
    return p;
  }

  /**
   * Runs the load and returns the report.
   *
   * @param progress called about every {@code progressIntervalMillis} with the number of finished
   *     connections, on the calling thread
   */
  ClientReport run(LongConsumer progress, long progressIntervalMillis)
      throws SSLException, InterruptedException {
    Provider provider = resolve(config.provider());
    SslContextBuilder b = SslContextBuilder.forClient()
        .sslProvider(provider == Provider.OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK)
        .protocols(config.protocolName())
        // The targets are addresses and the session cache keys are slot names: host name
        // checking cannot apply. --ca still checks the chain.
        .endpointIdentificationAlgorithm(null);
    if (config.insecure()) {
      b.trustManager(InsecureTrustManagerFactory.INSTANCE);
    } else {
      b.trustManager(config.caFile().orElseThrow().toFile());
    }
    sslContext = b.build();
    String providerName = provider == Provider.OPENSSL
        ? "netty-openssl (" + OpenSsl.versionString() + ")"
        : "jdk " + System.getProperty("java.version");

    group = new MultiThreadIoEventLoopGroup(config.threads(), NioIoHandler.newFactory());
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    try {
      bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
              (int) Math.min(Integer.MAX_VALUE, config.connectionTimeout().toMillis()));
      deadlineNanos = start + config.maxDuration().toNanos();
      int slots = Math.min(config.concurrency(), config.connections());
      slotsDone = new CountDownLatch(slots);
      for (int i = 0; i < slots; i++) {
        Slot slot = new Slot(i, config.targets().size(), group.next());
        slot.loop.execute(() -> next(slot));
      }
      long hardStop = deadlineNanos + config.connectionTimeout().toNanos()
          + TimeUnit.SECONDS.toNanos(2);
      while (!slotsDone.await(progressIntervalMillis, TimeUnit.MILLISECONDS)) {
        progress.accept(collector.done());
        if (System.nanoTime() - hardStop > 0) {
          collector.failure("(client)", "run did not finish within --max-duration + --timeout");
          stoppedByDuration = true;
          break;
        }
      }
      progress.accept(collector.done());
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      ReferenceCountUtil.release(sslContext);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    long cpu = processCpuNanos();
    Duration clientCpu = cpu < 0 || cpuStart < 0 ? null : Duration.ofNanos(cpu - cpuStart);
    return collector.finish(config, providerName, elapsed, stoppedByDuration, clientCpu);
  }

  /**
   * Starts the slot's next connection from a fresh task (no recursion on fast failures), on the
   * slot's own event loop: called from that loop, this queues the task without waking a thread.
   */
  private void scheduleNext(Slot slot) {
    slot.loop.execute(() -> next(slot));
  }

  /** Starts the slot's next connection, or retires the slot. Runs on an event loop. */
  private void next(Slot slot) {
    if (System.nanoTime() - deadlineNanos > 0) {
      if (issued.get() < config.connections()) {
        stoppedByDuration = true;
      }
      slotsDone.countDown();
      return;
    }
    int seq = issued.getAndIncrement();
    if (seq >= config.connections()) {
      slotsDone.countDown();
      return;
    }
    int targetIndex = slot.chooseTarget(seq, config);
    Target target = config.targets().get(targetIndex);
    SslHandler ssl = config.resume() == ResumeMode.NONE
        ? sslContext.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT)
        : sslContext.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, slot.key, SLOT_KEY_PORT);
    ssl.setHandshakeTimeoutMillis(config.connectionTimeout().toMillis());
    Connection conn = new Connection(slot, targetIndex, target, ssl, System.nanoTime());
    // Every connection of a slot on the slot's event loop: no hand-off between threads per connection.
    ChannelFuture cf = bootstrap.clone(slot.loop).handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast("ssl", ssl).addLast("conn", conn);
      }
    }).connect(target.host(), target.port());
    cf.addListener(f -> {
      if (!f.isSuccess()) {
        conn.fail("connect: " + describe(f.cause()));
      } else {
        Channel ch = cf.channel();
        conn.channel = ch;
        conn.timeout = ch.eventLoop().schedule(() -> {
          if (!conn.finished) {
            conn.fail("timeout after " + config.connectionTimeout().toMillis() + " ms ("
                + (conn.handshakeNanos < 0 ? "handshake not finished" : "no complete response")
                + ")");
            ch.close();
          }
        }, config.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS);
      }
    });
  }

  /**
   * Returns the session ID the server sent in this handshake's ServerHello, or {@code null}.
   *
   * <p>Not {@code engine.getSession().getId()} on Netty's OpenSSL engine: when it offers a cached
   * session, Netty copies that session's ID into the engine's session before the handshake and
   * keeps it when the server declines and does a full handshake with a new ID (Netty 4.2.18,
   * {@code DefaultOpenSslSession.handshakeFinished} sets the ID only if none was set). The client
   * would then see "its" ID echoed on a full handshake. BoringSSL's own session has the real one.
   * Call on the engine's event loop after the handshake completed.
   */
  static byte[] negotiatedSessionId(SSLEngine engine) {
    if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
      synchronized (openSsl) {
        long ssl = openSsl.sslPointer();
        if (ssl != 0) {
          return io.netty.internal.tcnative.SSL.getSessionId(ssl);
        }
      }
      return null;
    }
    return engine.getSession().getId();
  }

  /** CPU time of this JVM so far, or -1 if the platform does not say. */
  static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return -1;
  }

  static String describe(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c
        && (c instanceof io.netty.handler.codec.DecoderException
            || c.getMessage() == null)) {
      c = c.getCause();
    }
    String m = c.getMessage();
    String s = c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    return s.length() > 140 ? s.substring(0, 140) + "..." : s;
  }

  /** One session slot: its connections run one after the other. */
  private static final class Slot {
    final String key;
    /** The event loop all of this slot's connections run on. */
    final EventLoop loop;
    private int targetIndex;
    private int issuerTarget = -1;
    private boolean started;
    /** Session ID (hex) to the node that did its full handshake. */
    private final Map<String, String> issuers = new HashMap<>();

    Slot(int index, int targets, EventLoop loop) {
      this.key = "shredcache-slot-" + index;
      this.loop = loop;
      this.targetIndex = index % targets;
    }

    /** Returns the index of the target for this slot's next connection. */
    synchronized int chooseTarget(int seq, ClientConfig config) {
      int n = config.targets().size();
      switch (config.resume()) {
        case NONE -> targetIndex = seq % n;
        case SAME -> { }
        case CROSS -> {
          if (started) {
            // Round-robin over the targets other than the one that issued the current session.
            int next = (targetIndex + 1) % n;
            if (n > 1 && next == issuerTarget) {
              next = (next + 1) % n;
            }
            targetIndex = next;
          }
        }
      }
      started = true;
      return targetIndex;
    }

    synchronized void issuedAt(int target) {
      issuerTarget = target;
    }

    synchronized String issuer(String sessionIdHex) {
      return issuers.get(sessionIdHex);
    }

    synchronized void issued(String sessionIdHex, String node) {
      issuers.put(sessionIdHex, node);
    }
  }

  /** One connection: handshake, request, response, close. */
  private final class Connection extends ChannelInboundHandlerAdapter {
    /** Fails the connection after --timeout; set once connected, on the channel's event loop. */
    ScheduledFuture<?> timeout;
    final Slot slot;
    final int targetIndex;
    final Target target;
    final SslHandler ssl;
    final long startNanos;
    volatile boolean finished;
    volatile Channel channel;
    private volatile long handshakeNanos = -1;
    private String sessionIdHex = "";
    private String protocol = "?";
    private final ByteArrayOutputStream response = new ByteArrayOutputStream(512);

    Connection(Slot slot, int targetIndex, Target target, SslHandler ssl, long startNanos) {
      this.slot = slot;
      this.targetIndex = targetIndex;
      this.target = target;
      this.ssl = ssl;
      this.startNanos = startNanos;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        if (!e.isSuccess()) {
          fail("handshake: " + describe(e.cause()));
          ctx.close();
          return;
        }
        handshakeNanos = System.nanoTime() - startNanos;
        SSLSession s = ssl.engine().getSession();
        byte[] id = negotiatedSessionId(ssl.engine());
        sessionIdHex = id == null ? "" : HexFormat.of().formatHex(id);
        protocol = s.getProtocol();
        byte[] host = target.host().getBytes(StandardCharsets.US_ASCII);
        ByteBuf req = ctx.alloc().buffer(64 + host.length);
        req.writeBytes("GET / HTTP/1.1\r\nHost: ".getBytes(StandardCharsets.US_ASCII))
            .writeBytes(host).writeBytes(REQUEST_TAIL);
        ctx.writeAndFlush(req);
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof ByteBuf buf && !finished) {
          int n = Math.min(buf.readableBytes(), MAX_RESPONSE_BYTES - response.size());
          if (n > 0) {
            byte[] b = new byte[n];
            buf.readBytes(b);
            response.write(b, 0, n);
          }
          if (responseComplete() || response.size() >= MAX_RESPONSE_BYTES) {
            complete();
            ctx.close();
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private boolean responseComplete() {
      byte[] r = response.toByteArray();
      String text = new String(r, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        return false;
      }
      // Header lines without a regular expression: this runs for every read of every connection.
      for (int start = 0; start < end; ) {
        int next = text.indexOf("\r\n", start);
        if (next < 0 || next > end) {
          next = end;
        }
        int colon = text.indexOf(':', start);
        if (colon > start && colon < next
            && text.substring(start, colon).trim().equalsIgnoreCase("content-length")) {
          try {
            long len = Long.parseLong(text.substring(colon + 1, next).trim());
            return r.length - (end + 4) >= len;
          } catch (NumberFormatException e) {
            return false;
          }
        }
        start = next + 2;
      }
      return false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!finished) {
        if (handshakeNanos < 0) {
          fail("closed during handshake");
        } else if (response.size() == 0) {
          fail("closed before a response");
        } else {
          complete();
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!finished) {
        fail((handshakeNanos < 0 ? "handshake: " : "read: ") + describe(cause));
      }
      ctx.close();
    }

    /** Classifies the finished connection; runs at most once. */
    private void complete() {
      if (finished) {
        return;
      }
      finished = true;
      cancelTimeout();
      ClientResponse r = ClientResponse.parse(response.toByteArray());
      if (r.status() < 200 || r.status() > 299) {
        collector.failure(r.node().orElse(target.toString()),
            r.status() < 0 ? "no HTTP response" : "HTTP " + r.status());
        scheduleNext(slot);
        return;
      }
      String node = r.node().orElse(target.toString());
      String issuer = sessionIdHex.isEmpty() ? null : slot.issuer(sessionIdHex);
      boolean clientResumed = issuer != null;
      // Session-ID resumption (TLS 1.2 on the bc and jdk engines): the wire decides; the server
      // echoed a session ID this slot already had, or it did not. Tickets (openssl engine) do
      // not keep IDs stable, so there the node's own account decides.
      boolean sessionIdEngine = r.engine().map(e -> !e.equals("openssl")).orElse(false)
          && "TLSv1.2".equals(protocol) && !sessionIdHex.isEmpty();
      boolean resumed = sessionIdEngine || r.claim() == ClientResponse.NodeClaim.UNKNOWN
          ? clientResumed : r.resumed();
      // The node's own account against the wire (not against `resumed`, which for session-ID
      // engines is the wire itself and would always agree).
      boolean agrees = r.claim() == ClientResponse.NodeClaim.UNKNOWN
          || r.resumed() == clientResumed;
      Kind kind;
      if (!resumed) {
        kind = Kind.FULL;
        if (config.resume() != ResumeMode.NONE && !sessionIdHex.isEmpty()) {
          slot.issued(sessionIdHex, node);
          slot.issuedAt(targetIndex);
        }
      } else if (r.claim() == ClientResponse.NodeClaim.RESUMED_LOCAL && issuer == null) {
        // The node resumed from its own put: it did the full handshake itself.
        kind = Kind.RESUMED_LOCAL;
      } else if (issuer != null) {
        kind = issuer.equals(node) ? Kind.RESUMED_LOCAL : Kind.RESUMED_CROSS;
      } else {
        kind = r.claim() == ClientResponse.NodeClaim.RESUMED_SHARED
            ? Kind.RESUMED_CROSS : Kind.RESUMED_LOCAL;
      }
      if (config.resume() == ResumeMode.NONE) {
        ssl.engine().getSession().invalidate();
      }
      collector.success(node, kind, r.claim(), agrees, protocol, handshakeNanos,
          "client " + (clientResumed ? "offered and got back a session made on " + issuer
              : "got a session it had not seen (" + (sessionIdHex.isEmpty() ? "no ID"
                  : sessionIdHex.substring(0, Math.min(8, sessionIdHex.length())) + "..") + ")"));
      scheduleNext(slot);
    }

    void fail(String reason) {
      if (finished) {
        return;
      }
      finished = true;
      cancelTimeout();
      collector.failure(target.toString(), reason);
      scheduleNext(slot);
    }

    /** Drops the connection's timeout task once it has finished (else it waits in the queue). */
    private void cancelTimeout() {
      ScheduledFuture<?> t = timeout;
      if (t != null) {
        t.cancel(false);
      }
    }
  }

  /** Renders the progress of a run: a bar on a terminal, plain lines otherwise. */
  static final class Progress implements LongConsumer {
    private final java.io.PrintStream out;
    private final long total;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastLineNanos;
    private long lastDone = -1;

    Progress(java.io.PrintStream out, long total, boolean terminal) {
      this.out = out;
      this.total = total;
      this.terminal = terminal;
    }

    @Override
    public void accept(long done) {
      long now = System.nanoTime();
      double secs = (now - startNanos) / 1e9;
      double rate = secs > 0 ? done / secs : 0;
      if (terminal) {
        int width = 30;
        int filled = (int) Math.min(width, total == 0 ? width : done * width / total);
        out.print(String.format(Locale.ROOT, "\r[%s%s] %d/%d  %.0f conn/s ",
            "#".repeat(filled), ".".repeat(width - filled), done, total, rate));
        if (done >= total) {
          out.println();
        }
        out.flush();
      } else if (done != lastDone && (now - lastLineNanos >= 1_000_000_000L || done >= total)) {
        lastLineNanos = now;
        lastDone = done;
        out.println(String.format(Locale.ROOT, "progress: %d/%d connections, %.0f conn/s",
            done, total, rate));
      }
    }

    void finish() {
      if (terminal) {
        out.println();
      }
    }
  }
}
