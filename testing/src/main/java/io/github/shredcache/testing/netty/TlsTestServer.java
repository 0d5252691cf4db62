package io.github.shredcache.testing.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * A Netty TLS server on 127.0.0.1 (a free port) for tests, over any {@link SslContext}: it echoes
 * what it reads (or answers one small HTTP response and closes) and records every handshake as
 * the server saw it, with the resumption kind a function of the server's {@link SSLEngine} tells.
 *
 * <pre>{@code
 * try (TlsTestServer<Resumption> node =
 *     TlsTestServer.start(sslContext, ShredcacheSslContext::resumption)) {
 *   // a client connects to node.port() ...
 *   assertThat(node.nextHandshake().resumption()).isEqualTo(Resumption.RESUMED_SHARED);
 * }
 * }</pre>
 *
 * <p>Handshakes queue until taken by {@link #nextHandshake}; {@link #successCounts()} counts the
 * successful ones by resumption kind, also when not recording. Thread-safe. {@link #close()}
 * closes the listening channel and the event loop group if the server made it. Needs Netty
 * ({@code netty-handler}) on the class path: an optional dependency of this artifact.
 *
 * @param <R> what {@code resumption} returns for an engine, e.g. an enum or a Boolean
 */
public final class TlsTestServer<R> implements AutoCloseable {
  /**
   * One server-side handshake. For a failed one, {@code success} is false, {@code cause} says why
   * and the other fields are null.
   *
   * @param success whether the handshake completed
   * @param resumption the kind of resumption, as the server's function classified the engine
   * @param protocol the negotiated protocol, e.g. "TLSv1.2"
   * @param cipherSuite the negotiated cipher suite
   * @param alpn the negotiated application protocol, or null
   * @param peer the client certificate's subject, or null without client authentication
   * @param cause why the handshake failed
   */
  public record Handshake<R>(boolean success, @Nullable R resumption, @Nullable String protocol,
      @Nullable String cipherSuite, @Nullable String alpn, @Nullable String peer,
      @Nullable Throwable cause) {}

  /** How the server puts TLS into its pipeline. */
  public enum Pipeline {
    /** {@code context.newHandler(alloc)}, as plain Netty and Reactor Netty do. */
    NEW_HANDLER,
    /** {@code new SslHandler(context.newEngine(alloc))}, as grpc-java and Vert.x do. */
    OWN_HANDLER_AROUND_NEW_ENGINE
  }

  private final BlockingQueue<Handshake<R>> handshakes = new LinkedBlockingQueue<>();
  private final Map<R, LongAdder> counts = new ConcurrentHashMap<>();
  private final Function<SSLEngine, R> resumption;
  private final boolean record;
  private final @Nullable String httpName;
  private final EventLoopGroup group;
  private final boolean ownGroup;
  private final Channel channel;

  private TlsTestServer(Builder<R> b) throws InterruptedException {
    this.resumption = b.resumption;
    this.record = b.record;
    this.httpName = b.httpName;
    EventLoopGroup given = b.group;
    this.ownGroup = given == null;
    this.group = given == null
        ? new MultiThreadIoEventLoopGroup(b.threads, NioIoHandler.newFactory()) : given;
    SslContext context = b.context;
    Pipeline pipeline = b.pipeline;
    try {
      this.channel = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast("ssl", pipeline == Pipeline.NEW_HANDLER
                  ? context.newHandler(ch.alloc())
                  : new SslHandler(context.newEngine(ch.alloc())));
              ch.pipeline().addLast("app", new App());
            }
          })
          .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    } catch (InterruptedException | RuntimeException e) {
      if (ownGroup) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      }
      throw e;
    }
  }

  /** Starts an echo server with defaults: one event loop thread of its own, recording handshakes. */
  public static <R> TlsTestServer<R> start(SslContext context,
      Function<SSLEngine, R> resumption) throws InterruptedException {
    return builder(context, resumption).start();
  }

  /** A builder for a server over {@code context}, classifying handshakes with {@code resumption}. */
  public static <R> Builder<R> builder(SslContext context, Function<SSLEngine, R> resumption) {
    return new Builder<>(context, resumption);
  }

  /** Options of a {@link TlsTestServer}. */
  public static final class Builder<R> {
    private final SslContext context;
    private final Function<SSLEngine, R> resumption;
    private Pipeline pipeline = Pipeline.NEW_HANDLER;
    private @Nullable EventLoopGroup group;
    private int threads = 1;
    private boolean record = true;
    private @Nullable String httpName;

    private Builder(SslContext context, Function<SSLEngine, R> resumption) {
      this.context = Objects.requireNonNull(context, "context");
      this.resumption = Objects.requireNonNull(resumption, "resumption");
    }

    /** How TLS goes into the pipeline (default {@link Pipeline#NEW_HANDLER}). */
    public Builder<R> pipeline(Pipeline pipeline) {
      this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
      return this;
    }

    /** Runs on {@code group} (which the caller closes) instead of a group of its own. */
    public Builder<R> eventLoopGroup(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group, "group");
      return this;
    }

    /** The number of event loop threads of its own group (default 1). */
    public Builder<R> threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, was " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** Whether to queue handshakes for {@link #nextHandshake} (default true; false for long runs). */
    public Builder<R> recordHandshakes(boolean record) {
      this.record = record;
      return this;
    }

    /**
     * Answers the first read of a connection with an HTTP/1.1 200 response, body {@code "served by
     * <name>\n"}, and closes it, instead of echoing.
     */
    public Builder<R> httpReply(String name) {
      this.httpName = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Binds the server and returns it. */
    public TlsTestServer<R> start() throws InterruptedException {
      return new TlsTestServer<>(this);
    }
  }

  /** Returns the port the server listens on. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Takes the next recorded handshake, waiting at most 10 s for it. */
  public Handshake<R> nextHandshake() throws InterruptedException {
    return nextHandshake(Duration.ofSeconds(10));
  }

  /**
   * Takes the next recorded handshake, waiting at most {@code timeout}.
   *
   * @throws AssertionError if none came
   */
  public Handshake<R> nextHandshake(Duration timeout) throws InterruptedException {
    Handshake<R> h = handshakes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (h == null) {
      throw new AssertionError("no handshake reached the server within " + timeout);
    }
    return h;
  }

  /** Returns the recorded handshakes not taken yet, oldest first. */
  public List<Handshake<R>> pendingHandshakes() {
    return List.copyOf(handshakes);
  }

  /** Drops the recorded handshakes not taken yet. */
  public void clearHandshakes() {
    handshakes.clear();
  }

  /** Returns the number of successful handshakes by resumption kind, so far. */
  public Map<R, Long> successCounts() {
    Map<R, Long> out = new LinkedHashMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Returns the event loop group the server runs on. */
  public EventLoopGroup group() {
    return group;
  }

  /** Closes the listening channel, and the event loop group if the server made it; waits for both. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    if (ownGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Override
  public String toString() {
    return "TlsTestServer[127.0.0.1:" + port() + "]";
  }

  private static @Nullable String peer(SSLSession session) {
    try {
      return session.getPeerPrincipal().getName();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  private final class App extends ChannelInboundHandlerAdapter {
    private boolean answered;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent done) {
        Handshake<R> h;
        if (done.isSuccess()) {
          SslHandler handler = ctx.pipeline().get(SslHandler.class);
          SSLEngine engine = handler.engine();
          SSLSession session = engine.getSession();
          R kind = resumption.apply(engine);
          if (kind != null) {
            counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
          }
          h = new Handshake<>(true, kind, session.getProtocol(), session.getCipherSuite(),
              handler.applicationProtocol(), peer(session), null);
        } else {
          h = new Handshake<>(false, null, null, null, null, null, done.cause());
        }
        if (record) {
          handshakes.add(h);
        }
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (httpName == null) {
        ChannelFuture unused = ctx.writeAndFlush(msg); // a failed write reaches exceptionCaught
        return;
      }
      ReferenceCountUtil.release(msg);
      if (answered) {
        return;
      }
      answered = true;
      byte[] body = ("served by " + httpName + "\n").getBytes(StandardCharsets.US_ASCII);
      ByteBuf response = Unpooled.wrappedBuffer(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
          + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII), body);
      ChannelFuture unused =
          ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ChannelFuture unused = ctx.close();
    }
  }
}
