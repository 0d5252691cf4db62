package io.github.shredcache.demo.node;

import io.github.shredcache.core.CacheStats;
import io.github.shredcache.core.OpenFailure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A node's Micrometer meters, rendered in Prometheus text format by {@link #scrape()}.
 *
 * <p>Cache meters read a {@link CacheStats} snapshot taken at most every {@value #SNAPSHOT_MILLIS}
 * ms (one {@code stats()} call per scrape, not one per meter). Handshake meters are counted by the
 * node's pipeline. Thread-safe.
 *
 * <h3>Meters (Prometheus names)</h3>
 *
 * <ul>
 *   <li>{@code shredcache_handshakes_total{result=full|resumed_local|resumed_shared|resumed_ticket|failed}}
 *   <li>{@code shredcache_handshake_duration_seconds{resumed=true|false}}: connect to handshake done
 *   <li>{@code shredcache_connections_active}
 *   <li>{@code shredcache_cache_local_hits_total}, {@code shredcache_cache_store_hits_total},
 *       {@code shredcache_cache_misses_total}, {@code shredcache_cache_puts_total},
 *       {@code shredcache_cache_invalidations_total}
 *   <li>{@code shredcache_cache_open_failures_total{cause=malformed|oversized|authentication|epoch_outside_window|expired}}
 *   <li>{@code shredcache_store_errors_total}, {@code shredcache_store_timeouts_total}
 *   <li>{@code shredcache_store_lookup_seconds_count/_sum}: completed store gets and their latency
 *   <li>{@code shredcache_store_up}: 1 reachable, 0 not, -1 no shared store (in-memory)
 *   <li>{@code shredcache_keys_epoch}, {@code shredcache_keys_seals_current_epoch}
 * </ul>
 *
 * All meters carry the tags {@code node} and {@code engine}.
 */
final class NodeMetrics {
  static final long SNAPSHOT_MILLIS = 250;

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<Handshake, Counter> handshakes = new EnumMap<>(Handshake.class);
  private final Counter failedHandshakes;
  private final Timer fullDuration;
  private final Timer resumedDuration;
  private final AtomicInteger activeConnections = new AtomicInteger();
  private final Snapshot stats;

  /**
   * @param stats where cache stats come from (e.g. {@code cache::stats})
   * @param storeUp 1 when the shared store is reachable, 0 when not, -1 without a shared store
   */
  NodeMetrics(String node, String engine, Supplier<CacheStats> stats, Supplier<Integer> storeUp) {
    this.stats = new Snapshot(stats);
    Tags tags = Tags.of("node", node, "engine", engine);
    for (Handshake h : Handshake.values()) {
      handshakes.put(h, Counter.builder("shredcache.handshakes").tags(tags).tag("result", h.tag())
          .description("TLS handshakes completed, by how").register(registry));
    }
    failedHandshakes = Counter.builder("shredcache.handshakes").tags(tags).tag("result", "failed")
        .description("TLS handshakes completed, by how").register(registry);
    fullDuration = Timer.builder("shredcache.handshake.duration").tags(tags).tag("resumed", "false")
        .description("Time from connection to completed handshake").register(registry);
    resumedDuration = Timer.builder("shredcache.handshake.duration").tags(tags).tag("resumed", "true")
        .description("Time from connection to completed handshake").register(registry);
    Gauge.builder("shredcache.connections.active", activeConnections, AtomicInteger::get).tags(tags)
        .description("Open client connections").register(registry);

    counter("shredcache.cache.local.hits", "Lookups answered by the front cache", tags, CacheStats::localHits);
    counter("shredcache.cache.store.hits", "Lookups answered by the shared store", tags, CacheStats::storeHits);
    counter("shredcache.cache.misses", "Lookups that found nothing usable (full handshake)", tags, CacheStats::misses);
    counter("shredcache.cache.puts", "Sessions put into the cache", tags, CacheStats::puts);
    counter("shredcache.cache.invalidations", "Sessions invalidated", tags, CacheStats::invalidations);
    for (OpenFailure cause : OpenFailure.values()) {
      FunctionCounter.builder("shredcache.cache.open.failures", this.stats, s -> s.get().openFailures(cause))
          .tags(tags).tag("cause", cause.name().toLowerCase(Locale.ROOT))
          .description("Entries read from the store but not used, by cause").register(registry);
    }
    counter("shredcache.store.errors", "Store operations that failed or timed out", tags, CacheStats::storeErrors);
    counter("shredcache.store.timeouts", "Store lookups that timed out", tags, CacheStats::storeTimeouts);
    FunctionTimer.builder("shredcache.store.lookup", this.stats,
            s -> s.get().storeLookups(), s -> s.get().storeLatencyTotal().toNanos(), TimeUnit.NANOSECONDS)
        .tags(tags).description("Completed store lookups and their latency").register(registry);
    Gauge.builder("shredcache.store.up", storeUp, s -> s.get()).strongReference(true).tags(tags)
        .description("1 if the shared store answers, 0 if not, -1 without a shared store").register(registry);
    Gauge.builder("shredcache.keys.epoch", this.stats, s -> s.get().currentEpoch()).tags(tags)
        .description("The key epoch entries are sealed under now").register(registry);
    Gauge.builder("shredcache.keys.seals.current.epoch", this.stats, s -> s.get().sealsInCurrentEpoch())
        .tags(tags).description("Entries sealed under the current epoch key by this node").register(registry);
  }

  private void counter(String name, String description, Tags tags, ToDoubleFunction<CacheStats> f) {
    FunctionCounter.builder(name, stats, s -> f.applyAsDouble(s.get()))
        .tags(tags).description(description).register(registry);
  }

  /** Counts a completed handshake that took {@code nanos} from connection to completion. */
  void handshake(Handshake how, long nanos) {
    handshakes.get(how).increment();
    (how.resumed() ? resumedDuration : fullDuration).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Counts a failed handshake. */
  void handshakeFailed() {
    failedHandshakes.increment();
  }

  void connectionOpened() {
    activeConnections.incrementAndGet();
  }

  void connectionClosed() {
    activeConnections.decrementAndGet();
  }

  /** Returns the count of completed handshakes of one kind (for tests and summaries). */
  long handshakes(Handshake how) {
    return (long) handshakes.get(how).count();
  }

  /** Returns all meters in Prometheus text format (0.0.4). */
  String scrape() {
    return registry.scrape();
  }

  /** A stats snapshot shared by all meters of one scrape. */
  private static final class Snapshot {
    private final Supplier<CacheStats> source;
    private CacheStats last;
    private long takenAtNanos;

    Snapshot(Supplier<CacheStats> source) {
      this.source = source;
    }

    synchronized CacheStats get() {
      long now = System.nanoTime();
      if (last == null || now - takenAtNanos > TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_MILLIS)) {
        last = source.get();
        takenAtNanos = now;
      }
      return last;
    }
  }
}
