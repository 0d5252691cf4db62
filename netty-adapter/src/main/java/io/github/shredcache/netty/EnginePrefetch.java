package io.github.shredcache.netty;

import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.SessionCache;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClientHello prefetch inside an engine that {@code ShredcacheSslContext.newEngine(..)} hands
 * out, for frameworks that wrap it in an {@code SslHandler} of their own (grpc-java, Vert.x).
 *
 * <p>The engine consumes the ClientHello records, starts the lookup and answers {@code NEED_TASK}.
 * Its delegated task implements Netty's {@code io.netty.handler.ssl.AsyncRunnable} (the hook of
 * Netty's asynchronous private-key support, package-private, hence a {@link Proxy}): the {@code
 * SslHandler} parks the handshake without blocking and resumes on the channel's event loop when
 * the lookup completed or the prefetch timeout passed; the engine then feeds the held records to
 * Bouncy Castle. The resume is handed to the event loop the task ran on ({@code
 * ThreadExecutorMap}), so it always comes after the handler parked. Should a Netty version lack
 * either, engines do not hold (a full handshake unless the session is in the local cache) and this
 * is logged once; {@code newHandler} depends on neither.
 *
 * <p>Thread-safe: the engine calls in under its own lock, the lookup completes on any thread.
 */
final class EnginePrefetch {
  private static final Logger log = LoggerFactory.getLogger(EnginePrefetch.class);
  private static final @Nullable Class<?> ASYNC_RUNNABLE = asyncRunnable();

  /** What the engine does with the record it just offered. */
  enum Step {
    /** Held; the ClientHello is not complete: ask for the next record. */
    HOLD,
    /** Held; the lookup runs: answer {@code NEED_TASK}. */
    WAIT,
    /** Feed {@link #takeHeld()} (which includes the record) to the TLS engine now. */
    FEED
  }

  private enum State { COLLECTING, WAITING, READY, DONE }

  private final SessionCache cache;
  private final long timeoutNanos;
  private final boolean tls13Enabled;
  private ByteArrayOutputStream held = new ByteArrayOutputStream();
  private State state = State.COLLECTING;
  private @Nullable CompletableFuture<LookupResult> lookup;
  private boolean taskHandedOut;

  private EnginePrefetch(SessionCache cache, Duration timeout, boolean tls13Enabled) {
    this.cache = cache;
    this.timeoutNanos = timeout.toNanos();
    this.tls13Enabled = tls13Enabled;
  }

  /** A prefetch for one engine, or {@code null} without a cache or without Netty's hook. */
  static @Nullable EnginePrefetch create(@Nullable SessionCache cache, Duration timeout, boolean tls13Enabled) {
    return cache == null || ASYNC_RUNNABLE == null ? null
        : new EnginePrefetch(cache, timeout, tls13Enabled);
  }

  private static @Nullable Class<?> asyncRunnable() {
    try {
      Class<?> c = Class.forName("io.netty.handler.ssl.AsyncRunnable", false,
          io.netty.handler.ssl.SslHandler.class.getClassLoader());
      c.getMethod("run", Runnable.class);
      if (!c.isInterface() || !Runnable.class.isAssignableFrom(c)) {
        throw new NoSuchMethodException("AsyncRunnable.run(Runnable)");
      }
      // A proxy must be constructible here (module and class-loader rules).
      Proxy.newProxyInstance(c.getClassLoader(), new Class<?>[] {c}, (p, m, a) -> null);
      ThreadExecutorMap.currentExecutor();
      return c;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      log.warn("Netty's asynchronous SSLEngine task hook is not available ({}): engines from "
          + "ShredcacheSslContext.newEngine(..) resume only sessions already in the local cache; "
          + "ShredcacheSslContext.newHandler(..) still prefetches", e.toString());
      return null;
    }
  }

  synchronized boolean collecting() {
    return state == State.COLLECTING;
  }

  /** Whether records are held that the engine must feed before anything else. */
  synchronized boolean holding() {
    return state == State.WAITING || state == State.READY;
  }

  /** The engine's handshake status while the prefetch decides it, else {@code null}. */
  synchronized @Nullable HandshakeStatus status() {
    switch (state) {
      case WAITING:
        return HandshakeStatus.NEED_TASK;
      case READY:
        return HandshakeStatus.NEED_UNWRAP; // the held records go in with the next unwrap
      default:
        return null;
    }
  }

  /** Takes one complete record (header included) while {@link #collecting()}. */
  synchronized Step offer(byte[] record, int offset, int length) {
    held.write(record, offset, length);
    if (held.size() > Prefetch.MAX_HELD_BYTES) {
      return Step.FEED;
    }
    byte[] body = Prefetch.clientHelloBody(Unpooled.wrappedBuffer(held.toByteArray()));
    if (body == null) {
      return Step.HOLD;
    }
    lookup = body == Prefetch.NOT_A_CLIENT_HELLO ? null
        : Prefetch.start(cache, body, tls13Enabled);
    if (lookup == null) {
      return Step.FEED;
    }
    state = State.WAITING;
    return Step.WAIT;
  }

  /** Ends the prefetch and returns the held records, to be fed in order. */
  synchronized byte[] takeHeld() {
    state = State.DONE;
    byte[] b = held.toByteArray();
    held = new ByteArrayOutputStream(0);
    return b;
  }

  /** The engine closed: nothing will be fed. */
  synchronized void abandon() {
    state = State.DONE;
    held = new ByteArrayOutputStream(0);
  }

  /** The delegated task, once, while the lookup runs. */
  synchronized @Nullable Runnable delegatedTask() {
    // WAITING means a lookup is pending, and an instance exists only with Netty's hook.
    CompletableFuture<LookupResult> pending = lookup;
    Class<?> asyncRunnable = ASYNC_RUNNABLE;
    if (state != State.WAITING || taskHandedOut || pending == null || asyncRunnable == null) {
      return null;
    }
    taskHandedOut = true;
    return (Runnable) Proxy.newProxyInstance(asyncRunnable.getClassLoader(),
        new Class<?>[] {asyncRunnable}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "run":
              if (args == null || args.length == 0) {
                ready(); // a caller without Netty's hook: never block, go on now
              } else {
                await((Runnable) args[0], pending);
              }
              return null;
            case "hashCode":
              return System.identityHashCode(proxy);
            case "equals":
              return proxy == args[0];
            case "toString":
              return "ShredcacheClientHelloPrefetch";
            default:
              throw new UnsupportedOperationException(method.getName());
          }
        });
  }

  /** Whether the lookup ended while the engine was still waiting for it (not closed). */
  private synchronized boolean ready() {
    if (state == State.WAITING) {
      state = State.READY;
      return true;
    }
    return false;
  }

  /**
   * Calls {@code resume} once, after the lookup completed or the timeout passed. On an event
   * loop (Netty runs the task inline there) {@code resume} is scheduled on that loop, so it runs
   * after the {@code SslHandler} parked the handshake. If the engine was closed meanwhile it is
   * not called: Netty would take the closed engine's {@code NOT_HANDSHAKING} for a completed
   * handshake; the handler's close-notify or handshake timeout closes the channel instead and
   * fails the handshake.
   */
  private void await(Runnable resume, CompletableFuture<LookupResult> lookup) {
    EventExecutor loop = ThreadExecutorMap.currentExecutor();
    AtomicBoolean once = new AtomicBoolean();
    Future<?>[] timer = new Future<?>[1];
    Runnable fire = () -> {
      if (!once.compareAndSet(false, true)) {
        return;
      }
      if (timer[0] != null) {
        timer[0].cancel(false);
      }
      if (!ready()) {
        return;
      }
      if (loop == null) {
        resume.run();
        return;
      }
      try {
        loop.execute(resume);
      } catch (RejectedExecutionException e) {
        // the event loop is shutting down; so is the channel
      }
    };
    try {
      timer[0] = loop != null ? loop.schedule(fire, timeoutNanos, TimeUnit.NANOSECONDS)
          : CompletableFuture.runAsync(fire,
              CompletableFuture.delayedExecutor(timeoutNanos, TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      fire.run();
      return;
    }
    lookup.whenComplete((result, error) -> fire.run());
  }
}
