package io.github.shredcache.demo.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.shredcache.core.CacheStats;
import io.github.shredcache.core.OpenFailure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The node's meters read cache stats snapshots and handshake counts, served as Prometheus text. */
class MetricsTest {
  private static CacheStats stats(long localHits, long storeHits, long misses, long epoch, long seals) {
    return new CacheStats(localHits, storeHits, misses, 7, 2,
        Map.of(OpenFailure.AUTHENTICATION, 3L, OpenFailure.EXPIRED, 1L), 5, 4, 9,
        Duration.ofMillis(18), epoch, seals);
  }

  /** Returns the value of the sample line starting with {@code prefix} (name and labels). */
  static double sample(String scrape, String name, String... labels) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= line.contains(label);
      }
      if (all) {
        Matcher m = Pattern.compile("} (\\S+)").matcher(line);
        if (m.find()) {
          return Double.parseDouble(m.group(1));
        }
      }
    }
    throw new AssertionError("no sample " + name + " " + String.join(",", labels) + " in:\n" + scrape);
  }

  @Test
  void cacheStatsBecomeMeters() throws Exception {
    AtomicReference<CacheStats> current = new AtomicReference<>(stats(10, 20, 30, 480000, 12));
    NodeMetrics metrics = new NodeMetrics("n1", "bc", current::get, () -> 1);
    String s = metrics.scrape();
    assertThat(sample(s, "shredcache_cache_local_hits_total", "node=\"n1\"", "engine=\"bc\"")).isEqualTo(10);
    assertThat(sample(s, "shredcache_cache_store_hits_total")).isEqualTo(20);
    assertThat(sample(s, "shredcache_cache_misses_total")).isEqualTo(30);
    assertThat(sample(s, "shredcache_cache_puts_total")).isEqualTo(7);
    assertThat(sample(s, "shredcache_cache_invalidations_total")).isEqualTo(2);
    assertThat(sample(s, "shredcache_cache_open_failures_total", "cause=\"authentication\"")).isEqualTo(3);
    assertThat(sample(s, "shredcache_cache_open_failures_total", "cause=\"expired\"")).isEqualTo(1);
    assertThat(sample(s, "shredcache_cache_open_failures_total", "cause=\"malformed\"")).isZero();
    assertThat(sample(s, "shredcache_store_errors_total")).isEqualTo(5);
    assertThat(sample(s, "shredcache_store_timeouts_total")).isEqualTo(4);
    assertThat(sample(s, "shredcache_store_lookup_seconds_count")).isEqualTo(9);
    assertThat(sample(s, "shredcache_store_lookup_seconds_sum")).isEqualTo(0.018);
    assertThat(sample(s, "shredcache_keys_epoch")).isEqualTo(480000);
    assertThat(sample(s, "shredcache_keys_seals_current_epoch")).isEqualTo(12);
    assertThat(sample(s, "shredcache_store_up")).isEqualTo(1);

    // A later scrape sees new stats (snapshots are at most SNAPSHOT_MILLIS old).
    current.set(stats(11, 20, 30, 480001, 0));
    s = await("a scrape with the new stats")
        .atMost(java.time.Duration.ofMillis(NodeMetrics.SNAPSHOT_MILLIS * 10L + 1000))
        .pollInterval(java.time.Duration.ofMillis(10)) // until the snapshot ages out
        .until(metrics::scrape, page -> sample(page, "shredcache_cache_local_hits_total") == 11);
    assertThat(sample(s, "shredcache_cache_local_hits_total")).isEqualTo(11);
    assertThat(sample(s, "shredcache_keys_epoch")).isEqualTo(480001);
    assertThat(sample(s, "shredcache_keys_seals_current_epoch")).isZero();
  }

  @Test
  void handshakesAreCountedByKind() {
    NodeMetrics metrics = new NodeMetrics("n1", "bc", () -> stats(0, 0, 0, 1, 0), () -> -1);
    String before = metrics.scrape();
    for (Handshake h : Handshake.values()) {
      assertThat(sample(before, "shredcache_handshakes_total", "result=\"" + h.tag() + "\"")).isZero();
    }
    metrics.handshake(Handshake.FULL, 2_000_000);
    metrics.handshake(Handshake.RESUMED_SHARED, 500_000);
    metrics.handshake(Handshake.RESUMED_SHARED, 500_000);
    metrics.handshakeFailed();
    String s = metrics.scrape();
    assertThat(sample(s, "shredcache_handshakes_total", "result=\"full\"")).isEqualTo(1);
    assertThat(sample(s, "shredcache_handshakes_total", "result=\"resumed_shared\"")).isEqualTo(2);
    assertThat(sample(s, "shredcache_handshakes_total", "result=\"resumed_local\"")).isZero();
    assertThat(sample(s, "shredcache_handshakes_total", "result=\"failed\"")).isEqualTo(1);
    assertThat(sample(s, "shredcache_handshake_duration_seconds_count", "resumed=\"true\"")).isEqualTo(2);
    assertThat(sample(s, "shredcache_handshake_duration_seconds_sum", "resumed=\"false\"")).isEqualTo(0.002);
    assertThat(sample(s, "shredcache_store_up")).isEqualTo(-1);
    assertThat(metrics.handshakes(Handshake.RESUMED_SHARED)).isEqualTo(2);
  }

  @Test
  void endpointServesPrometheusText() throws Exception {
    NodeMetrics metrics = new NodeMetrics("n1", "jdk", () -> stats(1, 2, 3, 4, 5), () -> 0);
    try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, metrics::scrape)) {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> ok = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
              .timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(sample(ok.body(), "shredcache_cache_misses_total", "engine=\"jdk\"")).isEqualTo(3);
      assertThat(ok.body()).contains("# TYPE shredcache_handshakes_total counter");

      HttpResponse<String> missing = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/other"))
              .timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(missing.statusCode()).isEqualTo(404);
    }
  }
}
