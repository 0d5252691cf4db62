package io.github.shredcache.netty;

import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.SessionCache;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.jspecify.annotations.Nullable;

/**
 * The {@link SslHandler} every {@code ShredcacheSslContext.newHandler(..)} returns. It behaves as
 * Netty's own (handshake future, {@code SslHandshakeCompletionEvent}, {@code
 * pipeline.get(SslHandler.class)}) and adds two things:
 *
 * <ul>
 *   <li><b>ClientHello prefetch.</b> With a session cache, the first ClientHello is held back
 *       until the asynchronous {@link SessionCache#lookup} of its session ID completed (a store hit
 *       lands in the local cache) or the backstop passed (the store bounds the lookup itself); then the engine gets it and finds
 *       the session with a synchronous local peek. A miss, a timeout, an error, a TLS 1.3 offer, an
 *       empty session ID or bytes that are not a ClientHello mean: feed the engine at once, which
 *       does a full handshake or sends the alert. At most {@link Prefetch#MAX_HELD_BYTES} are held.
 *   <li><b>ALPN.</b> {@link #applicationProtocol()} answers from the engine's public {@link
 *       SSLEngine#getApplicationProtocol()}; Netty's own only answers for engines implementing a
 *       package-private interface, which ours cannot.
 * </ul>
 *
 * <p>Never blocks the event loop: the lookup completes on the store's threads and the handler
 * resumes on the channel's event loop. Held buffers are released if the channel closes or the
 * handler is removed first. One instance per channel.
 */
final class ShredcacheSslHandler extends SslHandler {
  private enum Phase {
    /** Collecting the ClientHello. */
    COLLECTING,
    /** The lookup runs; bytes are held. */
    WAITING,
    /** Everything goes straight to the engine. */
    PASSING
  }

  private final @Nullable SessionCache cache; // null: no prefetch
  private final long timeoutNanos;
  private final boolean tls13Enabled;

  private Phase phase;
  private @Nullable ByteBuf held;
  private @Nullable ScheduledFuture<?> timer;

  /**
   * @param cache the session cache to prefetch from, or {@code null} for no prefetch
   * @param prefetchTimeout the backstop: the longest the ClientHello is held, whatever the cache does
   * @param tls13Enabled whether the engine may negotiate TLS 1.3 (then a TLS 1.3 offer is a full
   *     handshake and is not looked up)
   */
  ShredcacheSslHandler(SSLEngine engine, boolean startTls, Executor executor, @Nullable SessionCache cache,
      Duration prefetchTimeout, boolean tls13Enabled) {
    super(engine, startTls, executor);
    this.cache = cache;
    this.timeoutNanos = prefetchTimeout.toNanos();
    this.tls13Enabled = tls13Enabled;
    this.phase = cache == null ? Phase.PASSING : Phase.COLLECTING;
  }

  @Override
  public @Nullable String applicationProtocol() {
    String p = engine().getApplicationProtocol();
    return p == null || p.isEmpty() ? null : p;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (phase == Phase.PASSING) {
      super.channelRead(ctx, msg);
      return;
    }
    if (!(msg instanceof ByteBuf)) {
      feedHeldNow(ctx);
      super.channelRead(ctx, msg);
      return;
    }
    held = held == null ? (ByteBuf) msg
        : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), held, (ByteBuf) msg);
    if (held.readableBytes() > Prefetch.MAX_HELD_BYTES) {
      feedHeldNow(ctx);
      return;
    }
    if (phase == Phase.COLLECTING) {
      collect(ctx, held);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    if (phase == Phase.PASSING) {
      super.channelReadComplete(ctx);
    } else if (phase == Phase.COLLECTING && !ctx.channel().config().isAutoRead()) {
      ctx.read(); // the rest of the ClientHello
    }
    // WAITING: the channelReadComplete follows when the held bytes are fed to the engine.
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    discardHeld();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
    discardHeld();
    super.handlerRemoved0(ctx);
  }

  /** Parses what arrived so far; starts the lookup once the ClientHello is complete. */
  private void collect(ChannelHandlerContext ctx, ByteBuf held) throws Exception {
    byte[] body = Prefetch.clientHelloBody(held);
    if (body == null) {
      return; // need more bytes
    }
    CompletableFuture<LookupResult> lookup = body == Prefetch.NOT_A_CLIENT_HELLO ? null
        : Prefetch.start(cache, body, tls13Enabled);
    if (lookup == null) {
      feedHeldNow(ctx);
      return;
    }
    phase = Phase.WAITING;
    EventExecutor executor = ctx.executor();
    timer = executor.schedule(() -> feedHeldLater(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    lookup.whenComplete((result, error) -> {
      try {
        executor.execute(() -> feedHeldLater(ctx));
      } catch (RejectedExecutionException e) {
        // event loop shutting down: the timer or the channel's close settles it
      }
    });
  }

  /** Feeds the held bytes to the engine from inside a channelRead (a channelReadComplete follows). */
  private void feedHeldNow(ChannelHandlerContext ctx) throws Exception {
    phase = Phase.PASSING;
    cancelTimer();
    ByteBuf b = held;
    held = null;
    if (b != null) {
      super.channelRead(ctx, b);
    }
  }

  /** Feeds the held bytes after the lookup or the timeout, on the event loop. */
  private void feedHeldLater(ChannelHandlerContext ctx) {
    if (phase != Phase.WAITING || ctx.isRemoved()) {
      return;
    }
    try {
      feedHeldNow(ctx);
    } catch (Throwable t) {
      fireCaught(ctx, t);
    }
    try {
      super.channelReadComplete(ctx); // flushes the engine's answer; reads on if autoRead is off
    } catch (Throwable t) {
      fireCaught(ctx, t);
    }
  }

  /** What the pipeline would do with an exception thrown by this handler's channelRead. */
  private void fireCaught(ChannelHandlerContext ctx, Throwable t) {
    try {
      exceptionCaught(ctx, t);
    } catch (Throwable e) {
      ctx.fireExceptionCaught(e);
    }
  }

  private void discardHeld() {
    phase = Phase.PASSING;
    cancelTimer();
    ByteBuf b = held;
    held = null;
    ReferenceCountUtil.release(b);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
