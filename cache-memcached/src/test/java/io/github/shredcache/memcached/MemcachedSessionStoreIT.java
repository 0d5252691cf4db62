package io.github.shredcache.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.shredcache.core.SessionStore;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.memcached.RawMemcachedClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store against one real memcached: the SPI contract, byte-exact values, TTLs, limits. */
class MemcachedSessionStoreIT {
  private static MemcachedProcess memcached;
  private static MemcachedSessionStore store;
  private static RawMemcachedClient raw;

  @BeforeAll
  static void start() {
    memcached = MemcachedProcess.start();
    store = MemcachedSessionStore.builder().servers(memcached.address()).build();
    raw = memcached.raw();
  }

  @AfterAll
  static void stop() {
    if (raw != null) {
      raw.close();
    }
    if (store != null) {
      store.close();
    }
    if (memcached != null) {
      memcached.close();
    }
  }

  @BeforeEach
  void flush() {
    raw.flushAll();
  }

  @Test
  void setGetDeleteRoundTrip() throws Exception {
    byte[] value = {0, 1, 2, (byte) 0x80, (byte) 0xff, '\r', '\n'};
    await(store.set("ns:round-trip", value, Duration.ofMinutes(5)));

    assertThat(await(store.get("ns:round-trip"))).hasValueSatisfying(v -> assertThat(v).containsExactly(value));
    assertThat(await(store.delete("ns:round-trip"))).isTrue();
    assertThat(await(store.delete("ns:round-trip"))).as("second delete: key gone").isFalse();
    assertThat(await(store.get("ns:round-trip"))).isEmpty();
  }

  @Test
  void deleteOfAKeyNeverStoredIsFalse() throws Exception {
    assertThat(await(store.delete("ns:never-stored"))).isFalse();
  }

  @Test
  void storesTheExactBytesUnderFixedFlagsWithoutSerialization() throws Exception {
    byte[] value = new byte[300];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (i * 7);
    }
    await(store.set("ns:exact", value, Duration.ofMinutes(5)));

    RawMemcachedClient.Item item = raw.get("ns:exact").orElseThrow();
    assertThat(item.value()).containsExactly(value); // no Java serialization header, no compression
    assertThat(item.flags()).isEqualTo(RawBytesTranscoder.FLAGS & 0xffffffffL);
  }

  @Test
  void returnsForeignValuesAsTheyAreForTheCallerToJudge() throws Exception {
    raw.set("ns:foreign", "not ours".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 12345, 60);
    assertThat(await(store.get("ns:foreign")))
        .hasValueSatisfying(v -> assertThat(v).asString().isEqualTo("not ours"));

    byte[] big = new byte[SessionStore.MAX_VALUE_BYTES * 4];
    raw.set("ns:big", big, 0, 60);
    assertThat(await(store.get("ns:big"))).hasValueSatisfying(v -> assertThat(v).hasSize(big.length));
  }

  @Test
  void ttlIsRelativeAndClampedToThirtyDays() throws Exception {
    await(store.set("ns:short", new byte[] {1}, Duration.ofSeconds(90)));
    await(store.set("ns:long", new byte[] {1}, Duration.ofDays(400)));
    long serverNow = Long.parseLong(raw.stats().get("time"));

    for (RawMemcachedClient.KeyInfo k : raw.keys()) {
      long remaining = k.expiresAtUnixSeconds() - serverNow;
      if (k.key().equals("ns:short")) {
        assertThat(remaining).isBetween(85L, 91L);
      } else if (k.key().equals("ns:long")) {
        // not read as an absolute time in 1970 (gone at once) but as 30 days from now
        assertThat(remaining).isBetween(2_592_000L - 5, 2_592_000L + 1);
      }
    }
    assertThat(raw.keys()).extracting(RawMemcachedClient.KeyInfo::key).contains("ns:short", "ns:long");
    assertThat(await(store.get("ns:long"))).isPresent();
  }

  @Test
  void entriesExpire() throws Exception {
    await(store.set("ns:expiring", new byte[] {1}, Duration.ofSeconds(1)));
    assertThat(await(store.get("ns:expiring"))).isPresent();
    Awaitility.await("gone within 5 s of a 1 s TTL").atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> await(store.get("ns:expiring")), Optional::isEmpty);
  }

  @Test
  void argumentErrorsFailTheFutureNotTheCaller() {
    assertFailsWith(store.set("ns:too-big", new byte[SessionStore.MAX_VALUE_BYTES + 1], Duration.ofMinutes(1)),
        IllegalArgumentException.class, "more than " + SessionStore.MAX_VALUE_BYTES);
    assertFailsWith(store.set("ns:no-ttl", new byte[1], Duration.ZERO),
        IllegalArgumentException.class, "ttl must be positive");
    assertFailsWith(store.get("has space"), IllegalArgumentException.class, "without spaces");
    assertFailsWith(store.get("k".repeat(251)), IllegalArgumentException.class, "more than 250");
    assertFailsWith(store.delete("tab\there"), IllegalArgumentException.class, "U+0009");
  }

  @Test
  void theLargestAllowedValueRoundTrips() throws Exception {
    byte[] value = new byte[SessionStore.MAX_VALUE_BYTES];
    value[value.length - 1] = 42;
    await(store.set("ns:max", value, Duration.ofMinutes(1)));
    assertThat(await(store.get("ns:max"))).hasValueSatisfying(v -> assertThat(v).containsExactly(value));
  }

  @Test
  void futuresCompleteOnTheIoThreadNotTheCaller() throws Exception {
    await(store.set("ns:thread", new byte[] {1}, Duration.ofMinutes(1)));
    assertThat(completingThread(store).getName()).startsWith("Memcached IO");
  }

  @Test
  void aCallbackExecutorIsWhereFuturesComplete() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor(
        r -> new Thread(r, "test-callbacks"));
    try (MemcachedSessionStore withExecutor =
        MemcachedSessionStore.builder().servers(memcached.address()).callbackExecutor(pool).build()) {
      await(withExecutor.set("ns:thread", new byte[] {1}, Duration.ofMinutes(1)));
      assertThat(completingThread(withExecutor).getName()).isEqualTo("test-callbacks");
    } finally {
      pool.shutdownNow();
    }
  }

  /** The thread that completes a get (a stage attached after completion would run on ours). */
  private static Thread completingThread(MemcachedSessionStore s) throws Exception {
    Thread testThread = Thread.currentThread();
    AtomicReference<Thread> completer = new AtomicReference<>();
    for (int i = 0; i < 100 && completer.get() == null; i++) {
      s.get("ns:thread").thenRun(() -> {
        if (Thread.currentThread() != testThread) {
          completer.set(Thread.currentThread());
        }
      }).get(2, TimeUnit.SECONDS);
    }
    assertThat(completer.get()).isNotNull();
    return completer.get();
  }

  @Test
  void manyConcurrentOperationsAllComplete() throws Exception {
    // a burst from a cold JVM on a shared machine: give it time, this is about correctness
    try (MemcachedSessionStore patient =
        MemcachedSessionStore.builder()
            .servers(memcached.address())
            .operationTimeout(Duration.ofSeconds(5))
            .build()) {
      List<CompletableFuture<?>> all = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        String key = "ns:many-" + (i % 200);
        all.add(i % 2 == 0
            ? patient.set(key, new byte[] {(byte) i}, Duration.ofMinutes(1))
            : patient.get(key));
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
      assertThat(all).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    }
  }

  @Test
  void aClosedStoreFailsFuturesAndCloseIsIdempotent() throws Exception {
    MemcachedSessionStore other = MemcachedSessionStore.builder().servers(memcached.address()).build();
    other.close();
    other.close();
    assertFailsWith(other.get("ns:closed"), IllegalStateException.class, "is closed");
    assertFailsWith(other.set("ns:closed", new byte[1], Duration.ofMinutes(1)), IllegalStateException.class, "is closed");
  }

  @Test
  void toStringShowsServersAndTimeout() {
    assertThat(store.toString()).contains(memcached.address()).contains("PT0.05S");
  }

  /**
   * A store that really logs in (SASL PLAIN on a real memcached) shows its password nowhere: not
   * in its toString, not in any log record of the store or of spymemcached at any level, not in
   * the exceptions of a wrong password, of a server that went away, or of a closed store.
   */
  @Test
  void anAuthenticatedStoreNeverShowsThePassword() throws Exception {
    String password = "pw-right-" + Long.toHexString(new SecureRandom().nextLong());
    String wrong = "pw-wrong-" + Long.toHexString(new SecureRandom().nextLong());
    List<String> shown = new ArrayList<>();
    try (LogCapture logs = LogCapture.everything();
        MemcachedProcess sasl = MemcachedProcess.builder().sasl("alice", password).start()) {
      MemcachedSessionStore authed = MemcachedSessionStore.builder().servers(sasl.address())
          .credentials("alice", password.toCharArray()).operationTimeout(Duration.ofSeconds(1))
          .build();
      await(authed.set("ns:sasl", new byte[] {1}, Duration.ofMinutes(1))); // it really logged in
      assertThat(await(authed.get("ns:sasl"))).isPresent();
      assertThat(authed.toString()).contains(sasl.address()).contains("alice");
      shown.add(authed.toString());

      shown.add(stackTrace(catchThrowable(() -> MemcachedSessionStore.builder()
          .servers(sasl.address()).credentials("alice", wrong.toCharArray()).build())));
      sasl.kill(); // the server goes away under the logged-in client
      shown.add(stackTrace(catchThrowable(() -> await(authed.get("ns:sasl")))));
      authed.close();
      shown.add(stackTrace(catchThrowable(() -> await(authed.get("ns:sasl")))));
      shown.add(authed.toString());
      shown.addAll(logs.messages());

      assertThat(logs.messages()).as("log records of spymemcached (the capture works)")
          .anyMatch(m -> m.contains(sasl.address().replace("127.0.0.1", "")));
    }
    assertThat(shown.get(1)).as("the wrong password is refused").contains("rejected the SASL");
    assertThat(shown.get(2)).as("a failure after the server died").isNotEmpty();
    assertThat(shown.get(3)).contains("is closed");
    assertThat(shown).allSatisfy(text -> assertThat(text)
        .doesNotContain(password).doesNotContain(wrong));
  }

  private static String stackTrace(Throwable t) {
    assertThat(t).as("an exception").isNotNull();
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /**
   * Every java.util.logging record (the store's System.Logger and spymemcached both log there in
   * this module's tests), at every level, while open; formatted with parameters and stack traces.
   */
  private static final class LogCapture extends Handler implements AutoCloseable {
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Map<Logger, Level> levels = new LinkedHashMap<>();

    static LogCapture everything() {
      LogCapture c = new LogCapture();
      c.setLevel(Level.ALL);
      for (Logger l : List.of(c.root, Logger.getLogger("net.spy"),
          Logger.getLogger("io.github.shredcache"))) {
        c.levels.put(l, l.getLevel());
        l.setLevel(Level.ALL);
      }
      c.root.addHandler(c);
      return c;
    }

    List<String> messages() {
      return List.copyOf(messages);
    }

    @Override
    public void publish(LogRecord r) {
      StringBuilder text = new StringBuilder(r.getLoggerName() + ": ")
          .append(new SimpleFormatter().formatMessage(r));
      if (r.getThrown() != null) {
        text.append('\n').append(stackTrace(r.getThrown()));
      }
      messages.add(text.toString());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      root.removeHandler(this);
      levels.forEach(Logger::setLevel);
    }
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(5, TimeUnit.SECONDS);
  }

  static void assertFailsWith(CompletableFuture<?> f, Class<? extends Throwable> type, String message) {
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(type)
        .hasMessageContaining(message);
  }
}
