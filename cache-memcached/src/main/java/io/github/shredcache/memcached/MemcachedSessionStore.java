package io.github.shredcache.memcached;

import io.github.shredcache.core.SessionStore;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.FailureMode;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.NodeLocator;
import net.spy.memcached.auth.AuthDescriptor;
import net.spy.memcached.internal.GetFuture;
import net.spy.memcached.ops.ArrayOperationQueueFactory;
import net.spy.memcached.ops.OperationStatus;
import net.spy.memcached.ops.StatusCode;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SessionStore} on one or more memcached servers, through spymemcached (binary
 * protocol, Ketama consistent hashing).
 *
 * <pre>{@code
 * MemcachedSessionStore store = MemcachedSessionStore.builder()
 *     .servers("cache1:11211,cache2:11211,cache3:11211")
 *     .operationTimeout(Duration.ofMillis(50))
 *     .credentials("shredcache", password)      // only for memcached -S
 *     .build();
 * }</pre>
 *
 * <h3>Fails open</h3>
 *
 * <p>Every future this store returns completes within the operation timeout (plus at most one
 * tick of the timer that enforces it: a tenth of the timeout, between 1 and 10 ms): normally from
 * spymemcached's completion listener, else from the timer, which completes it with a {@link
 * TimeoutException} and cancels the operation. A future completes exceptionally (an {@link
 * IOException} or a {@link TimeoutException}) when a server is down, slow, paused, still
 * authenticating or overloaded; the {@code SessionCache} above turns that into a miss. No method
 * blocks its caller: operations are queued with no waiting (a full per-server queue of 4,096
 * operations fails the operation at once) and completion never waits on a thread.
 *
 * <h3>Failure mode: cancel, not redistribute</h3>
 *
 * <p>spymemcached runs with {@code FailureMode.Cancel}: while a server is unreachable, operations
 * for the keys it owns are cancelled immediately, so they cost a miss and no time. The
 * alternatives are worse for a cache that may miss: {@code Redistribute} would send those keys to
 * the next server on the ring, where they are all misses anyway, then write new sessions there,
 * and when the server comes back the keys move home again (a second wave of misses, plus stale
 * copies left on the other server); {@code Retry} would queue operations for a dead server and
 * make callers wait for their timeout. With {@code Cancel} only the missing server's share of
 * sessions needs full handshakes, and hits on it resume as soon as spymemcached has reconnected
 * (it retries with a back-off capped by {@link MemcachedSessionStoreBuilder#maxReconnectDelay}).
 *
 * <h3>Values, keys and time to live</h3>
 *
 * <p>Values are the caller's bytes, stored as is under fixed flags (no Java serialization, no
 * compression), at most {@link SessionStore#MAX_VALUE_BYTES} on write. A get returns whatever
 * bytes the server holds, of any size and flags: judging them is the caller's job. Keys must be
 * 1 to 250 bytes of printable ASCII without spaces. Time to live is rounded up to whole seconds
 * and clamped to 30 days, because memcached reads a larger number as an absolute Unix time. Every
 * argument error completes the future exceptionally with an {@link IllegalArgumentException}.
 *
 * <h3>Thread-safety and ownership</h3>
 *
 * <p>Thread-safe. A value passed to {@link #set} is not copied before it is written (do not
 * change it before the future completes); a value returned by {@link #get} belongs to the caller.
 * Futures complete on spymemcached's I/O thread (answers) or on the store's timer thread (a
 * daemon named {@code shredcache-memcached-timer-N-1}), unless {@link
 * MemcachedSessionStoreBuilder#callbackExecutor} says otherwise: dependent stages that are not
 * {@code ...Async} must take microseconds, not milliseconds, or they delay every other operation
 * of the store. (Completing there saves a thread hop per lookup; see BENCHMARKS.md.) {@link
 * #close()} releases connections and threads and zeroizes the password copy; the password
 * otherwise lives only inside this object and, during authentication, in the JDK's SASL client.
 */
public final class MemcachedSessionStore implements SessionStore {
  /** memcached reads an expiration above 30 days as an absolute Unix time. */
  static final long MAX_RELATIVE_TTL_SECONDS = 30L * 24 * 60 * 60;
  /** The longest key memcached accepts. */
  static final int MAX_KEY_BYTES = 250;
  /** Per-server limit of operations waiting to be written. */
  static final int OPERATION_QUEUE_CAPACITY = 4096;
  /** How long {@link #close()} waits for queued writes to be flushed. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
  /** spymemcached's internal operation timeout (see connect()). */
  static final Duration SPY_OPERATION_TIMEOUT = Duration.ofSeconds(1);
  static final String PROBE_KEY_PREFIX = "shredcache-startup-probe:";
  /** Slots of the timeout wheel (a power of two); a round covers 512 ticks. */
  static final int TIMER_WHEEL_SIZE = 512;

  private static final System.Logger LOG = System.getLogger(MemcachedSessionStore.class.getName());

  static {
    // spymemcached logs to stderr unless told otherwise, through a system property it reads once:
    // route it to SLF4J when the application has it, else to java.util.logging. An application
    // that set the property itself keeps its choice.
    if (System.getProperty("net.spy.log.LoggerImpl") == null) {
      System.setProperty("net.spy.log.LoggerImpl", classPresent("org.slf4j.LoggerFactory")
          ? "net.spy.memcached.compat.log.SLF4JLogger"
          : "net.spy.memcached.compat.log.SunLogger");
    }
  }

  private static boolean classPresent(String name) {
    try {
      Class.forName(name, false, MemcachedSessionStore.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
  private static final AtomicInteger STORE_COUNTER = new AtomicInteger();

  private final MemcachedClient client;
  /**
   * Runs the per-operation timeouts (one daemon thread). A hashed wheel rather than a
   * {@code ScheduledThreadPoolExecutor}: adding and cancelling a timeout are a queue offer each,
   * and its thread wakes once a tick, not for every operation that becomes the earliest deadline
   * (with one operation in flight at a time, that was every operation).
   */
  private final HashedWheelTimer timers;
  /** Where futures complete; null: where the listener runs (spymemcached's I/O thread). */
  private final @Nullable Executor callbackExecutor;
  private final long operationTimeoutNanos;
  private final String description;
  private final @Nullable SaslPlainCredentials credentials;
  private final BoundedReplies operations;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MemcachedSessionStore(
      MemcachedClient client,
      HashedWheelTimer timers,
      @Nullable Executor callbackExecutor,
      Duration operationTimeout,
      String description,
      @Nullable SaslPlainCredentials credentials,
      BoundedReplies operations) {
    this.client = client;
    this.timers = timers;
    this.callbackExecutor = callbackExecutor;
    this.operationTimeoutNanos = operationTimeout.toNanos();
    this.description = description;
    this.credentials = credentials;
    this.operations = operations;
  }

  /**
   * Returns how many replies were refused because they announced a body longer than any valid
   * reply (a hostile or broken server): each one dropped and re-opened its connection, and the
   * operations in flight on it failed (misses for the session cache).
   */
  public long refusedReplies() {
    return operations.refused();
  }

  /** Returns a new builder. */
  public static MemcachedSessionStoreBuilder builder() {
    return new MemcachedSessionStoreBuilder();
  }

  static MemcachedSessionStore connect(
      MemcachedSessionStoreBuilder b, List<InetSocketAddress> servers) {
    Duration opTimeout = b.operationTimeoutOrDefault();
    int storeNumber = STORE_COUNTER.incrementAndGet();
    HashedWheelTimer timers = new HashedWheelTimer(
        daemonThreads("shredcache-memcached-timer-" + storeNumber + "-"),
        timerTickNanos(opTimeout), TimeUnit.NANOSECONDS, TIMER_WHEEL_SIZE, false);

    BoundedReplies operations = new BoundedReplies();
    ConnectionFactoryBuilder cfb =
        new ConnectionFactoryBuilder()
            .setProtocol(ConnectionFactoryBuilder.Protocol.BINARY)
            // Replies longer than any valid one drop the connection before they are buffered.
            .setOpFact(operations)
            .setShouldOptimize(false)
            .setLocatorType(ConnectionFactoryBuilder.Locator.CONSISTENT)
            .setHashAlg(DefaultHashAlgorithm.KETAMA_HASH)
            .setFailureMode(FailureMode.Cancel)
            .setDaemon(true)
            // spymemcached's own timeout only drops operations that waited too long to be
            // written and bounds its SASL steps; ours (a timer per operation) is the one callers
            // see. Keep spymemcached's long enough for authentication on a busy machine.
            .setOpTimeout(Math.max(SPY_OPERATION_TIMEOUT.toMillis(), opTimeout.toMillis()))
            .setOpQueueFactory(new ArrayOperationQueueFactory(OPERATION_QUEUE_CAPACITY))
            .setOpQueueMaxBlockTime(0) // a full queue fails the operation, never the caller's time
            .setMaxReconnectDelay(b.maxReconnectDelayOrDefault().toSeconds())
            // listeners run on the I/O thread: no thread hop per operation (see class Javadoc)
            .setListenerExecutorService(new DirectExecutorService());
    if (b.credentials != null) {
      cfb.setAuthDescriptor(new AuthDescriptor(new String[] {"PLAIN"}, b.credentials))
          // Operations arriving while a (re)connected server is still authenticating are
          // cancelled after this wait, spent on the caller's thread: so, no wait at all.
          .setAuthWaitTime(0);
    }
    ConnectionFactory factory = cfb.build();
    String description =
        "MemcachedSessionStore[servers=" + b.serversSpec
            + (b.credentials != null ? ", user=" + b.credentials.user() : "")
            + ", operationTimeout=" + opTimeout + "]";
    MemcachedClient client;
    try {
      client = new MemcachedClient(factory, List.copyOf(servers));
    } catch (IOException | RuntimeException e) {
      timers.stop();
      if (b.credentials != null) {
        b.credentials.destroy();
      }
      throw new IllegalStateException(
          "cannot start the memcached client for " + b.serversSpec + ": " + e.getMessage(), e);
    }
    MemcachedSessionStore store =
        new MemcachedSessionStore(
            client, timers, b.callbackExecutor, opTimeout, description, b.credentials, operations);
    try {
      store.checkServers(servers, b.startupTimeoutOrDefault(), b.credentials);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  @Override
  public CompletableFuture<Optional<byte[]>> get(String key) {
    CompletableFuture<Optional<byte[]>> result = new CompletableFuture<>();
    if (rejected(result, key)) {
      return result;
    }
    return complete(result, "get", key,
        () -> client.asyncGet(key, RawBytesTranscoder.INSTANCE),
        (op, done) -> op.addListener(f -> done.run()),
        op -> {
          byte[] value = op.get(0, TimeUnit.NANOSECONDS); // done: returns at once
          OperationStatus status = op.getStatus();
          if (value != null) {
            return Optional.of(value);
          } else if (status == null
              || status.isSuccess()
              || status.getStatusCode() == StatusCode.ERR_NOT_FOUND) {
            return Optional.empty();
          }
          throw failed("get", key, status);
        });
  }

  @Override
  public CompletableFuture<Void> set(String key, byte[] value, Duration ttl) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    if (rejected(result, key)) {
      return result;
    }
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(ttl, "ttl");
    if (value.length > MAX_VALUE_BYTES) {
      fail(result, new IllegalArgumentException(
          "value has " + value.length + " bytes, more than " + MAX_VALUE_BYTES));
      return result;
    }
    if (ttl.isNegative() || ttl.isZero()) {
      // memcached reads 0 as "never expires": refuse rather than store forever.
      fail(result, new IllegalArgumentException("ttl must be positive, was " + ttl));
      return result;
    }
    return complete(result, "set", key,
        () -> client.set(key, expirationSeconds(ttl), value, RawBytesTranscoder.INSTANCE),
        (op, done) -> op.addListener(f -> done.run()),
        op -> {
          OperationStatus status = op.getStatus(); // set before completion: returns at once
          if (status != null && status.isSuccess()) {
            return null;
          }
          throw failed("set", key, status);
        });
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    if (rejected(result, key)) {
      return result;
    }
    return complete(result, "delete", key,
        () -> client.delete(key),
        (op, done) -> op.addListener(f -> done.run()),
        op -> {
          OperationStatus status = op.getStatus();
          if (status != null && status.isSuccess()) {
            return true;
          } else if (status != null && status.getStatusCode() == StatusCode.ERR_NOT_FOUND) {
            return false;
          }
          throw failed("delete", key, status);
        });
  }

  /**
   * Closes the connections and stops the store's threads: waits up to 1 s for queued operations
   * to be written, then for the I/O thread to end, then for pending futures to complete (each
   * within its operation timeout). Zeroizes the password copy. Later operations complete
   * exceptionally with {@link IllegalStateException}. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    boolean interrupted = false;
    try {
      client.shutdown(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "memcached client shutdown failed", e);
    }
    try {
      client.getConnection().join(CLOSE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      interrupted = true;
    }
    // Timeouts not yet due run now: every pending future completes (operations the shutdown
    // could not finish time out at once instead of at their deadline).
    for (Timeout pending : timers.stop()) {
      try {
        pending.task().run(pending);
      } catch (Exception e) {
        LOG.log(System.Logger.Level.DEBUG, "memcached timeout on close failed", e);
      }
    }
    if (credentials != null) {
      credentials.destroy();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Returns the servers, the user if any and the operation timeout; never a password. */
  @Override
  public String toString() {
    return description;
  }

  // ---------------------------------------------------------------------------------------------

  private boolean rejected(CompletableFuture<?> result, String key) {
    Objects.requireNonNull(key, "key");
    if (closed.get()) {
      result.completeExceptionally(new IllegalStateException(description + " is closed"));
      return true;
    }
    String problem = keyProblem(key);
    if (problem != null) {
      result.completeExceptionally(new IllegalArgumentException(problem));
      return true;
    }
    return false;
  }

  /** Returns why {@code key} is not a valid memcached key, or null if it is. */
  static @Nullable String keyProblem(String key) {
    if (key.isEmpty()) {
      return "memcached key must not be empty";
    }
    if (key.length() > MAX_KEY_BYTES) {
      return "memcached key has " + key.length() + " characters, more than " + MAX_KEY_BYTES;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return "memcached key must be printable ASCII without spaces; character " + i
            + " is U+" + String.format("%04X", (int) c);
      }
    }
    return null;
  }

  /** Seconds relative to now, rounded up, at most 30 days (memcached's relative limit). */
  static int expirationSeconds(Duration ttl) {
    long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
    return (int) Math.min(Math.max(seconds, 1), MAX_RELATIVE_TTL_SECONDS);
  }

  /** Reads the answer of a done, not cancelled spymemcached operation. */
  @FunctionalInterface
  private interface Answer<F, T> {
    /**
     * Returns the result's value; throws an {@link IOException} that is the result's failure as
     * is, or any other exception, which fails the result as "memcached unavailable".
     */
    @Nullable T read(F done) throws Exception;
  }

  /**
   * Adapts one spymemcached operation to {@code result} and returns {@code result}: the one place
   * that turns spymemcached's futures into ours. {@code start} queues the operation (a refusal,
   * e.g. a full queue, fails the result at once). Then whichever comes first completes the result
   * and the other does nothing: a timer that fails it with a {@link TimeoutException} after the
   * operation timeout and cancels the operation, or the operation's completion listener (which
   * {@code onCompletion} adds), which fails it if the operation was cancelled and else completes it
   * with what {@code answer} reads. Completion goes through {@link #succeed} and {@link #fail}.
   */
  private <T, F extends Future<?>> CompletableFuture<T> complete(
      CompletableFuture<T> result, String operation, String key, Supplier<F> start,
      BiFunction<F, Runnable, Future<?>> onCompletion, Answer<F, T> answer) {
    F op;
    try {
      op = start.get();
    } catch (RuntimeException e) { // queue full, shutting down
      fail(result, unavailable(operation, key, e.getMessage(), e));
      return result;
    }
    Timeout timer;
    try {
      timer = scheduleTimeout(result, operation, key, () -> op.cancel(false));
    } catch (IllegalStateException e) { // the timer stopped: the store is closing
      op.cancel(false);
      fail(result, unavailable(operation, key, "store closed", e));
      return result;
    }
    Future<?> unused = onCompletion.apply(op, () -> {
      timer.cancel();
      if (result.isDone()) {
        return;
      }
      if (op.isCancelled()) {
        fail(result, unavailable(operation, key, "operation cancelled", null));
        return;
      }
      T value;
      try {
        value = answer.read(op);
      } catch (IOException e) {
        fail(result, e);
        return;
      } catch (InterruptedException e) { // not expected: the operation is done
        Thread.currentThread().interrupt();
        fail(result, unavailable(operation, key, String.valueOf(e), e));
        return;
      } catch (Exception e) {
        fail(result, unavailable(operation, key, String.valueOf(e), e));
        return;
      }
      succeed(result, value);
    });
    return result;
  }

  private Timeout scheduleTimeout(
      CompletableFuture<?> result, String operation, String key, Runnable cancel) {
    return timers.newTimeout(
        timeout -> {
          if (result.isDone()) {
            return;
          }
          fail(result, new TimeoutException(
              "memcached " + operation + " on " + serverOf(key) + " took longer than "
                  + Duration.ofNanos(operationTimeoutNanos).toMillis() + " ms"));
          try {
            cancel.run(); // not written yet: never sent; in flight: its answer is dropped
          } catch (RuntimeException ignored) {
            // cancelling is best-effort
          }
        },
        operationTimeoutNanos,
        TimeUnit.NANOSECONDS);
  }

  /** Completes {@code result} with {@code value}, on the callback executor if one was given. */
  private <T> void succeed(CompletableFuture<T> result, @Nullable T value) {
    if (callbackExecutor == null) {
      result.complete(value);
    } else {
      handOff(callbackExecutor, () -> result.complete(value));
    }
  }

  /** Completes {@code result} exceptionally, on the callback executor if one was given. */
  private void fail(CompletableFuture<?> result, Throwable error) {
    if (callbackExecutor == null) {
      result.completeExceptionally(error);
    } else {
      handOff(callbackExecutor, () -> result.completeExceptionally(error));
    }
  }

  private static void handOff(Executor executor, Runnable completion) {
    try {
      executor.execute(completion);
    } catch (RejectedExecutionException e) {
      completion.run(); // the future must complete, even if the executor is gone
    }
  }

  private IOException unavailable(
      String operation, String key, @Nullable String why, @Nullable Throwable cause) {
    return new IOException(
        "memcached " + operation + " on " + serverOf(key) + " failed: " + why, cause);
  }

  private IOException failed(String operation, String key, @Nullable OperationStatus status) {
    String why = status == null ? "no status" : status.getStatusCode() + " " + status.getMessage();
    return new IOException("memcached " + operation + " on " + serverOf(key) + " failed: " + why);
  }

  private String serverOf(String key) {
    try {
      // the live locator: getNodeLocator() would copy the whole ring
      return describe(client.getConnection().getLocator().getPrimary(key).getSocketAddress());
    } catch (RuntimeException e) {
      return "memcached";
    }
  }

  /**
   * Checks every server once, in order, each bounded by {@code timeout}: first on a raw socket
   * ({@link StartupCheck}: credentials and a probe get), then through spymemcached's own
   * connection (a probe get routed by Ketama to that server), so that the store is usable when
   * build() returns. Runs once, on the thread that calls build().
   */
  private void checkServers(
      List<InetSocketAddress> servers, Duration timeout, @Nullable SaslPlainCredentials creds) {
    NodeLocator locator = client.getNodeLocator();
    Map<SocketAddress, String> probeKeys = new LinkedHashMap<>();
    for (int i = 0; i < 100_000 && probeKeys.size() < servers.size(); i++) {
      String key = PROBE_KEY_PREFIX + i;
      probeKeys.putIfAbsent(locator.getPrimary(key).getSocketAddress(), key);
    }
    for (InetSocketAddress server : servers) {
      String name = describe(server);
      String key = probeKeys.get(server);
      if (key == null) {
        continue; // Ketama gives this server no key: nothing will ever be sent there
      }
      String[] problem = new String[1];
      StartupCheck.Outcome outcome =
          StartupCheck.check(server, name, creds, key, timeout, problem);
      if (outcome == StartupCheck.Outcome.OK) {
        problem[0] = awaitClientAnswers(key, timeout);
      }
      if (problem[0] != null) {
        LOG.log(System.Logger.Level.WARNING,
            "memcached at {0} did not answer at start-up ({1}); continuing: its share of"
                + " sessions misses until it answers", name, problem[0]);
      }
    }
  }

  /** Returns null once a probe get through spymemcached is answered, else what went wrong. */
  private @Nullable String awaitClientAnswers(String key, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String problem = "no answer through the client";
    while (System.nanoTime() < deadline) {
      try {
        GetFuture<byte[]> probe = client.asyncGet(key, RawBytesTranscoder.INSTANCE);
        probe.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        OperationStatus status = probe.getStatus();
        if (status == null
            || status.isSuccess()
            || status.getStatusCode() == StatusCode.ERR_NOT_FOUND) {
          return null;
        }
        problem = "probe get failed: " + status.getStatusCode() + " " + status.getMessage();
      } catch (ExecutionException | RuntimeException e) {
        problem = "client not connected yet: " + e.getMessage(); // cancelled while connecting
      } catch (TimeoutException e) {
        return "no answer through the client within " + timeout.toMillis() + " ms";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while checking memcached", e);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while checking memcached", e);
      }
    }
    return problem;
  }

  private static String describe(SocketAddress address) {
    if (address instanceof InetSocketAddress) {
      InetSocketAddress a = (InetSocketAddress) address;
      return a.getHostString() + ":" + a.getPort();
    }
    return String.valueOf(address);
  }

  /**
   * The timer's tick: a tenth of the operation timeout, between 1 and 10 ms. A timeout fires at
   * most one tick after its deadline.
   */
  static long timerTickNanos(Duration operationTimeout) {
    long tenth = operationTimeout.toNanos() / 10;
    return Math.max(TimeUnit.MILLISECONDS.toNanos(1),
        Math.min(TimeUnit.MILLISECONDS.toNanos(10), tenth));
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
