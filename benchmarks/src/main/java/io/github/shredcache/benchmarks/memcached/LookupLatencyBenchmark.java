package io.github.shredcache.benchmarks.memcached;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionCacheBuilder;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.memcached.MemcachedSessionStore;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.memcached.RawMemcachedClient;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.FailureMode;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.transcoders.Transcoder;

/**
 * A store lookup through {@link SessionCache} (memcached get + open + front-cache insert) against a
 * raw spymemcached get of a value of the same size, side by side in one run, on a memcached this
 * benchmark starts on a free loopback port.
 *
 * <p>Measured, one caller, interleaved in rounds so that noise on a shared machine hits every
 * variant alike:
 *
 * <ul>
 *   <li>{@code raw-get}: a plain spymemcached client (binary protocol, Ketama), blocking {@code
 *       get} of a byte[] of the sealed entry's size: the baseline;
 *   <li>{@code store-get}: {@link MemcachedSessionStore#get}, waited for by the caller;
 *   <li>{@code lookup-default}: {@link SessionCache#lookup} of a session another node put, with
 *       every setting at its default (store operation timeout, front cache, executor, no lookup
 *       timeout of its own): what a node pays for the first resumption of a session made
 *       elsewhere;
 *   <li>{@code lookup-pool}: the same with the front cache's maintenance handed to
 *       {@code ForkJoinPool.commonPool()} (the default before it became the calling thread).
 * </ul>
 *
 * <p>Every lookup must be a store hit: node A puts {@value #SESSIONS} sessions, and each lookup
 * asks for one its node has not seen yet (checked: the run fails on any other result), so the
 * front cache behaves as in production (default time to live) and still every lookup goes to
 * memcached. Then throughput of {@code raw-get} and {@code lookup-default} with 1, 4 and 16 caller
 * threads, each step on a new lookup node.
 *
 * <p>Run: {@code java -cp benchmarks/target/shredcache-benchmarks.jar
 * io.github.shredcache.benchmarks.memcached.LookupLatencyBenchmark [seconds-per-throughput-step]}
 * (default 2 s per step; the latency part stops starting rounds after 60 s).
 */
public final class LookupLatencyBenchmark {
  /** Sessions node A puts; each lookup node looks each one up at most once. */
  static final int SESSIONS = 40_000;
  /** Distinct keys of the raw and store gets (repeats are fine for them). */
  static final int GET_KEYS = 1_000;
  static final int STATE_SIZE_BYTES = 160;
  static final int ROUNDS = 10;
  static final int OPS_PER_ROUND = 1_000;
  static final int WARMUP_OPS = 8_000;
  /** No new latency round starts after this (keeps the run under 2 minutes on a busy machine). */
  static final long LATENCY_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(60);

  private LookupLatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    double secondsPerStep = args.length > 0 ? Double.parseDouble(args[0]) : 2;
    long started = System.nanoTime();
    InstantSource clock = InstantSource.system();
    SecureRandom random = new SecureRandom();
    try (MemcachedProcess memcached = MemcachedProcess.start()) {
      MemcachedSessionStore storeA = MemcachedSessionStore.builder()
          .servers(memcached.address()).build();
      MemcachedSessionStore storeB = MemcachedSessionStore.builder()
          .servers(memcached.address()).build();
      KeyToken token = KeyToken.generate(Duration.ofHours(1), clock);
      String encoded = token.encode();
      token.destroy();
      KeyRatchet keysA = KeyRatchet.fromToken(KeyToken.parse(encoded, clock), Duration.ofHours(1), clock);
      KeyRatchet keysB = KeyRatchet.fromToken(KeyToken.parse(encoded, clock), Duration.ofHours(1), clock);
      SessionCache nodeA = SessionCache.builder().keys(keysA).store(storeA).namespace("bench").build();
      SessionCache defaultNode = lookupNode(keysB, storeB).build();
      SessionCache poolNode = lookupNode(keysB, storeB).executor(ForkJoinPool.commonPool()).build();
      MemcachedClient raw = rawClient(memcached);

      SessionId[] ids = new SessionId[SESSIONS];
      String[] storeKeys = new String[GET_KEYS];
      for (int i = 0; i < SESSIONS; i++) {
        byte[] id = new byte[32];
        random.nextBytes(id);
        ids[i] = SessionId.of(id);
        byte[] state = new byte[STATE_SIZE_BYTES];
        random.nextBytes(state);
        nodeA.put(ids[i], state, clock.instant().plus(Duration.ofMinutes(30)));
      }
      // the sealed entries and raw values of the same size under other keys
      int sealedSize;
      try (RawMemcachedClient scan = memcached.raw()) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<RawMemcachedClient.KeyInfo> keys = scan.keys();
        while (keys.size() < SESSIONS && System.nanoTime() < deadline) {
          Thread.sleep(20);
          keys = scan.keys();
        }
        if (keys.size() != SESSIONS) {
          throw new IllegalStateException("expected " + SESSIONS + " entries, found " + keys.size());
        }
        sealedSize = scan.getBytes(keys.get(0).key()).orElseThrow().length;
        for (int i = 0; i < GET_KEYS; i++) {
          storeKeys[i] = keys.get(i).key();
          byte[] value = new byte[sealedSize];
          random.nextBytes(value);
          scan.set("raw:" + i, value, 0, 1800);
        }
      }
      System.out.printf(Locale.ROOT, "memcached %s, %d sessions, state %d bytes, sealed entry %d bytes,"
          + " %d cores%n", memcached.address(), SESSIONS, STATE_SIZE_BYTES, sealedSize,
          Runtime.getRuntime().availableProcessors());

      Map<String, Op> ops = new LinkedHashMap<>();
      ops.put("raw-get", i -> {
        if (raw.get("raw:" + i, BYTES) == null) {
          throw new IllegalStateException("raw miss");
        }
      });
      ops.put("store-get", i -> {
        if (storeB.get(storeKeys[i]).get(5, TimeUnit.SECONDS).isEmpty()) {
          throw new IllegalStateException("store miss");
        }
      });
      Pool defaultIds = new Pool(ids);
      Pool poolIds = new Pool(ids);
      ops.put("lookup-default", i -> expectStoreHit(defaultNode.lookup(defaultIds.next())));
      ops.put("lookup-pool", i -> expectStoreHit(poolNode.lookup(poolIds.next())));

      // warm-up: JIT, connections, Caffeine
      for (Op op : ops.values()) {
        for (int i = 0; i < WARMUP_OPS / ops.size(); i++) {
          op.run(i % GET_KEYS);
        }
      }

      // latency, one caller, interleaved rounds
      Map<String, long[]> nanos = new LinkedHashMap<>();
      ops.keySet().forEach(name -> nanos.put(name, new long[ROUNDS * OPS_PER_ROUND]));
      int cursor = 0;
      int rounds = 0;
      long latencyStart = System.nanoTime();
      for (int round = 0; round < ROUNDS && System.nanoTime() - latencyStart < LATENCY_BUDGET_NANOS; round++) {
        rounds++;
        for (Map.Entry<String, Op> e : ops.entrySet()) {
          long[] out = nanos.get(e.getKey());
          for (int i = 0; i < OPS_PER_ROUND; i++) {
            int k = (cursor++) % GET_KEYS;
            long t0 = System.nanoTime();
            e.getValue().run(k);
            out[round * OPS_PER_ROUND + i] = System.nanoTime() - t0;
          }
        }
      }
      int measured = rounds * OPS_PER_ROUND;
      nanos.replaceAll((name, all) -> Arrays.copyOf(all, measured));
      System.out.printf(Locale.ROOT, "%nlatency, 1 caller, %d ops each (%d interleaved rounds)%n",
          measured, rounds);
      System.out.printf(Locale.ROOT, "%-16s %9s %9s %9s %10s%n", "variant", "p50 us", "p99 us",
          "p99.9 us", "vs raw p50");
      double rawP50 = percentile(nanos.get("raw-get"), 50);
      for (Map.Entry<String, long[]> e : nanos.entrySet()) {
        double p50 = percentile(e.getValue(), 50);
        System.out.printf(Locale.ROOT, "%-16s %9.1f %9.1f %9.1f %9.2fx%n", e.getKey(), p50 / 1e3,
            percentile(e.getValue(), 99) / 1e3, percentile(e.getValue(), 99.9) / 1e3, p50 / rawP50);
      }

      // throughput with concurrent callers
      System.out.printf(Locale.ROOT, "%nthroughput, %.1f s per step (ops/s)%n", secondsPerStep);
      System.out.printf(Locale.ROOT, "%-16s %10s %10s %10s%n", "variant", "1 caller", "4 callers",
          "16 callers");
      StringBuilder rawLine = new StringBuilder(String.format(Locale.ROOT, "%-16s", "raw-get"));
      StringBuilder lookupLine = new StringBuilder(String.format(Locale.ROOT, "%-16s",
          "lookup-default"));
      long storeLookups = 0;
      for (int callers : new int[] {1, 4, 16}) {
        rawLine.append(String.format(Locale.ROOT, " %10.0f",
            throughput(ops.get("raw-get"), callers, secondsPerStep)));
        try (SessionCache node = lookupNode(keysB, storeB).build()) {
          Pool fresh = new Pool(ids);
          lookupLine.append(String.format(Locale.ROOT, " %10.0f",
              throughput(i -> expectStoreHit(node.lookup(fresh.next())), callers, secondsPerStep)));
          storeLookups += node.stats().storeLookups();
        }
      }
      System.out.println(rawLine);
      System.out.println(lookupLine);
      System.out.printf(Locale.ROOT, "%nlookup-default stats: %s%nthroughput steps: %d store"
          + " lookups%n", defaultNode.stats(), storeLookups);
      System.out.printf(Locale.ROOT, "run took %.0f s%n", (System.nanoTime() - started) / 1e9);

      raw.shutdown(1, TimeUnit.SECONDS);
      nodeA.close();
      poolNode.close();
      defaultNode.close();
      storeA.close();
      storeB.close();
      keysA.close();
      keysB.close();
    }
  }

  interface Op {
    void run(int i) throws Exception;
  }

  /** Hands out each session once; running out ends a throughput step, or fails a latency run. */
  static final class Pool {
    private final SessionId[] ids;
    private final AtomicInteger next = new AtomicInteger();

    Pool(SessionId[] ids) {
      this.ids = ids;
    }

    SessionId next() {
      int i = next.getAndIncrement();
      if (i >= ids.length) {
        throw new PoolExhausted();
      }
      return ids[i];
    }
  }

  static final class PoolExhausted extends RuntimeException {
    PoolExhausted() {
      super("every session was looked up once", null, false, false);
    }
  }

  private static void expectStoreHit(CompletableFuture<LookupResult> lookup) throws Exception {
    LookupResult r = lookup.get(5, TimeUnit.SECONDS);
    if (r != LookupResult.STORE_HIT) {
      throw new IllegalStateException("expected a store hit, was " + r
          + " (the measurement would not be a store lookup)");
    }
  }

  private static double throughput(Op op, int callers, double seconds) throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(callers);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < callers; t++) {
      int offset = t * 97;
      Thread thread = new Thread(() -> {
        int i = offset;
        long n = 0;
        while (!stop.get()) {
          try {
            op.run(i++ % GET_KEYS);
            n++;
          } catch (PoolExhausted e) {
            stop.set(true);
          } catch (Exception e) {
            failures.incrementAndGet();
          }
        }
        done.addAndGet(n);
        finished.countDown();
      });
      thread.setDaemon(true);
      threads.add(thread);
    }
    long t0 = System.nanoTime();
    threads.forEach(Thread::start);
    // ends after `seconds`, or earlier when every caller stopped (the pool of sessions ran out)
    finished.await((long) (seconds * 1000), TimeUnit.MILLISECONDS);
    stop.set(true);
    finished.await(10, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    if (failures.get() > 0) {
      System.out.printf(Locale.ROOT, "  (%d failed operations with %d callers)%n", failures.get(), callers);
    }
    return done.get() / elapsed;
  }

  private static double percentile(long[] values, double p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** A lookup node (node B): the namespace node A puts under, every other setting at its default. */
  private static SessionCacheBuilder lookupNode(KeyRatchet keys, MemcachedSessionStore store) {
    return SessionCache.builder().keys(keys).store(store).namespace("bench");
  }

  private static MemcachedClient rawClient(MemcachedProcess memcached) throws Exception {
    return new MemcachedClient(
        new ConnectionFactoryBuilder()
            .setProtocol(ConnectionFactoryBuilder.Protocol.BINARY)
            .setLocatorType(ConnectionFactoryBuilder.Locator.CONSISTENT)
            .setHashAlg(DefaultHashAlgorithm.KETAMA_HASH)
            .setFailureMode(FailureMode.Cancel)
            .setDaemon(true)
            .setOpTimeout(5_000)
            .build(),
        List.of(new InetSocketAddress("127.0.0.1", memcached.port())));
  }

  /** Returns the raw bytes, as the store's transcoder does. */
  private static final Transcoder<byte[]> BYTES = new Transcoder<>() {
    @Override
    public boolean asyncDecode(net.spy.memcached.CachedData d) {
      return false;
    }

    @Override
    public net.spy.memcached.CachedData encode(byte[] o) {
      return new net.spy.memcached.CachedData(0, o, Integer.MAX_VALUE);
    }

    @Override
    public byte[] decode(net.spy.memcached.CachedData d) {
      return d.getData();
    }

    @Override
    public int getMaxSize() {
      return Integer.MAX_VALUE;
    }
  };
}
