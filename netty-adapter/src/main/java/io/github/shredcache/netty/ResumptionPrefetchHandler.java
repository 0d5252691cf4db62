package io.github.shredcache.netty;

import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Sits ahead of the {@code SslHandler}: reads the session ID out of the ClientHello, starts the
 * asynchronous {@link SessionCache#lookup} (which puts a store hit into the local cache), holds the
 * ClientHello back until the lookup completes or the prefetch timeout passes, then removes itself
 * so the TLS engine sees the ClientHello and finds the session with a synchronous local peek.
 *
 * <p>Never blocks the event loop; a miss, timeout or error simply means a full handshake.
 * One instance per channel.
 */
final class ResumptionPrefetchHandler extends SslClientHelloHandler<LookupResult> {
  private final SessionCache cache;
  private final long timeoutNanos;
  private final boolean tls13Enabled;

  ResumptionPrefetchHandler(SessionCache cache, Duration timeout, boolean tls13Enabled) {
    this.cache = cache;
    this.timeoutNanos = timeout.toNanos();
    this.tls13Enabled = tls13Enabled;
  }

  @Override
  protected Future<LookupResult> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
    EventExecutor executor = ctx.executor();
    if (clientHello == null || cache == null) {
      return executor.newSucceededFuture(LookupResult.MISS);
    }
    SessionId id = ClientHellos.resumableSessionId(clientHello, tls13Enabled);
    if (id == null) {
      return executor.newSucceededFuture(LookupResult.MISS);
    }
    CompletableFuture<LookupResult> lookup;
    try {
      lookup = cache.lookup(id);
    } catch (RuntimeException e) {
      return executor.newSucceededFuture(LookupResult.MISS);
    }
    if (lookup.isDone()) {
      return executor.newSucceededFuture(lookup.isCompletedExceptionally()
          ? LookupResult.MISS : lookup.join());
    }
    Promise<LookupResult> promise = executor.newPromise();
    ScheduledFuture<?> timer = executor.schedule(
        () -> promise.trySuccess(LookupResult.MISS), timeoutNanos, TimeUnit.NANOSECONDS);
    lookup.whenComplete((result, error) -> {
      try {
        executor.execute(() -> {
          timer.cancel(false);
          promise.trySuccess(result == null ? LookupResult.MISS : result);
        });
      } catch (RejectedExecutionException e) {
        // event loop shutting down: the timer or the channel's close settles the promise
      }
    });
    return promise;
  }

  @Override
  protected void onLookupComplete(ChannelHandlerContext ctx, Future<LookupResult> future) {
    if (!ctx.isRemoved()) {
      ctx.pipeline().remove(this);
    }
  }
}
