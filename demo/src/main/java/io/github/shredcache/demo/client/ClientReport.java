package io.github.shredcache.demo.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of a {@link LoadClient} run: per node counts, totals and latencies, rendered as a
 * table for people and as JSON for scripts. Built by {@link Collector}, which is thread-safe; the
 * report itself is immutable.
 */
public final class ClientReport {

  /** How a connection's handshake went, as counted in the table. */
  public enum Kind {
    /** A full handshake. */
    FULL,
    /** Resumed on the node that did the session's full handshake. */
    RESUMED_LOCAL,
    /** Resumed on another node than the one that did the session's full handshake. */
    RESUMED_CROSS
  }

  /** Counts for one node (or, for failures before a node answered, one target address). */
  public static final class Row {
    final String node;
    long full;
    long resumedLocal;
    long resumedCross;
    long failures;
    final Map<String, Long> nodeClaims = new TreeMap<>();

    Row(String node) {
      this.node = node;
    }

    /** The node's name (or the target address, for failures before a node answered). */
    public String node() {
      return node;
    }

    /** Completed handshakes: full and resumed. */
    public long handshakes() {
      return full + resumedLocal + resumedCross;
    }
  }

  /** Collects outcomes while a run is going. Thread-safe. */
  static final class Collector {
    private final Map<String, Row> rows = new TreeMap<>();
    private final Map<String, Long> failureReasons = new TreeMap<>();
    private final Map<String, Long> protocols = new TreeMap<>();
    private long[] all = new long[1024];
    private int allCount;
    private long[] full = new long[1024];
    private int fullCount;
    private long[] resumed = new long[1024];
    private int resumedCount;
    private long disagreements;
    private final List<String> disagreementExamples = new ArrayList<>();

    synchronized void success(String node, Kind kind, ClientResponse.NodeClaim claim,
        boolean clientAgrees, String protocol, long handshakeNanos, String detail) {
      Row row = rows.computeIfAbsent(node, Row::new);
      switch (kind) {
        case FULL -> row.full++;
        case RESUMED_LOCAL -> row.resumedLocal++;
        case RESUMED_CROSS -> row.resumedCross++;
      }
      row.nodeClaims.merge(claim.name(), 1L, Long::sum);
      protocols.merge(protocol, 1L, Long::sum);
      if (!clientAgrees) {
        disagreements++;
        if (disagreementExamples.size() < 10) {
          disagreementExamples.add(node + " said " + claim + "; " + detail);
        }
      }
      if (allCount == all.length) {
        all = Arrays.copyOf(all, all.length * 2);
      }
      all[allCount++] = handshakeNanos;
      if (kind == Kind.FULL) {
        if (fullCount == full.length) {
          full = Arrays.copyOf(full, full.length * 2);
        }
        full[fullCount++] = handshakeNanos;
      } else {
        if (resumedCount == resumed.length) {
          resumed = Arrays.copyOf(resumed, resumed.length * 2);
        }
        resumed[resumedCount++] = handshakeNanos;
      }
    }

    synchronized void failure(String where, String reason) {
      rows.computeIfAbsent(where, Row::new).failures++;
      failureReasons.merge(reason, 1L, Long::sum);
    }

    synchronized long done() {
      long n = allCount;
      for (Row r : rows.values()) {
        n += r.failures;
      }
      return n;
    }

    synchronized long failures() {
      long n = 0;
      for (Row r : rows.values()) {
        n += r.failures;
      }
      return n;
    }

    synchronized ClientReport finish(ClientConfig config, String providerUsed, Duration elapsed,
        boolean stoppedByDuration, Duration clientCpu) {
      List<Row> copy = new ArrayList<>();
      for (Row r : rows.values()) {
        Row c = new Row(r.node);
        c.full = r.full;
        c.resumedLocal = r.resumedLocal;
        c.resumedCross = r.resumedCross;
        c.failures = r.failures;
        c.nodeClaims.putAll(r.nodeClaims);
        copy.add(c);
      }
      return new ClientReport(config, providerUsed, elapsed, stoppedByDuration, copy,
          new TreeMap<>(failureReasons), new TreeMap<>(protocols),
          Arrays.copyOf(all, allCount), Arrays.copyOf(full, fullCount),
          Arrays.copyOf(resumed, resumedCount), disagreements, clientCpu,
          List.copyOf(disagreementExamples));
    }
  }

  private final ClientConfig config;
  private final String providerUsed;
  private final Duration elapsed;
  private final boolean stoppedByDuration;
  private final List<Row> rows;
  private final Map<String, Long> failureReasons;
  private final Map<String, Long> protocols;
  private final long[] allNanos;
  private final long[] fullNanos;
  private final long[] resumedNanos;
  private final long disagreements;
  /** CPU time the client's JVM used during the run (all threads), or null if unknown. */
  private final Duration clientCpu;
  private final List<String> disagreementExamples;

  private ClientReport(ClientConfig config, String providerUsed, Duration elapsed,
      boolean stoppedByDuration, List<Row> rows, Map<String, Long> failureReasons,
      Map<String, Long> protocols, long[] allNanos, long[] fullNanos, long[] resumedNanos,
      long disagreements, Duration clientCpu, List<String> disagreementExamples) {
    this.config = config;
    this.disagreementExamples = disagreementExamples;
    this.clientCpu = clientCpu;
    this.providerUsed = providerUsed;
    this.elapsed = elapsed;
    this.stoppedByDuration = stoppedByDuration;
    this.rows = Collections.unmodifiableList(rows);
    this.failureReasons = Collections.unmodifiableMap(failureReasons);
    this.protocols = Collections.unmodifiableMap(protocols);
    this.allNanos = allNanos;
    this.fullNanos = fullNanos;
    this.resumedNanos = resumedNanos;
    Arrays.sort(this.allNanos);
    Arrays.sort(this.fullNanos);
    Arrays.sort(this.resumedNanos);
    this.disagreements = disagreements;
  }

  /** Counts per node, by node name. */
  public List<Row> rows() {
    return rows;
  }

  /** Handshakes of one kind over all nodes. */
  public long total(Kind kind) {
    long n = 0;
    for (Row r : rows) {
      n += switch (kind) {
        case FULL -> r.full;
        case RESUMED_LOCAL -> r.resumedLocal;
        case RESUMED_CROSS -> r.resumedCross;
      };
    }
    return n;
  }

  /** Connections that failed. */
  public long failures() {
    long n = 0;
    for (Row r : rows) {
      n += r.failures;
    }
    return n;
  }

  /** Completed handshakes. */
  public long handshakes() {
    return allNanos.length;
  }

  Duration elapsed() {
    return elapsed;
  }

  /** Client CPU time divided by wall time (1.0 = one core busy), or NaN if unknown. */
  double cpuShare() {
    return clientCpu == null || elapsed.isZero() ? Double.NaN
        : (double) clientCpu.toNanos() / elapsed.toNanos();
  }

  double handshakesPerSecond() {
    return perSecond(handshakes());
  }

  private double perSecond(long count) {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : count / s;
  }

  /** Nearest-rank percentile in milliseconds; NaN when there are no samples. */
  static double percentileMillis(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    int i = Math.min(sorted.length - 1, Math.max(0, rank - 1));
    return sorted[i] / 1e6;
  }

  /** The table printed at the end of a run. */
  public String table() {
    StringBuilder sb = new StringBuilder();
    int w = 8;
    for (Row r : rows) {
      w = Math.max(w, r.node.length());
    }
    String fmt = "%-" + w + "s %8s %14s %19s %9s %13s%n";
    sb.append(String.format(Locale.ROOT, fmt, "node", "full", "resumed local",
        "resumed cross-node", "failures", "handshakes/s"));
    sb.append("-".repeat(w + 8 + 14 + 19 + 9 + 13 + 5)).append('\n');
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, fmt, r.node, r.full, r.resumedLocal, r.resumedCross,
          r.failures, String.format(Locale.ROOT, "%.1f", perSecond(r.handshakes()))));
    }
    sb.append("-".repeat(w + 8 + 14 + 19 + 9 + 13 + 5)).append('\n');
    sb.append(String.format(Locale.ROOT, fmt, "total", total(Kind.FULL),
        total(Kind.RESUMED_LOCAL), total(Kind.RESUMED_CROSS), failures(),
        String.format(Locale.ROOT, "%.1f", handshakesPerSecond())));
    sb.append(String.format(Locale.ROOT,
        "connect+handshake latency: p50 %.2f ms, p99 %.2f ms (full p50 %.2f ms, resumed p50 %.2f ms)%n",
        percentileMillis(allNanos, 50), percentileMillis(allNanos, 99),
        percentileMillis(fullNanos, 50), percentileMillis(resumedNanos, 50)));
    sb.append(String.format(Locale.ROOT,
        "%d connections in %.2f s, resume=%s, tls=%s, client=%s, concurrency=%d%s%n",
        handshakes() + failures(), elapsed.toNanos() / 1e9,
        config.resume().name().toLowerCase(Locale.ROOT), config.tlsVersion(), providerUsed,
        config.concurrency(), config.insecure() ? ", INSECURE: any server certificate trusted" : ""));
    if (clientCpu != null) {
      sb.append(String.format(Locale.ROOT,
          "client CPU: %.2f s in %.2f s (%.0f%% of one core; %.0f us per connection)%n",
          clientCpu.toNanos() / 1e9, elapsed.toNanos() / 1e9, cpuShare() * 100,
          clientCpu.toNanos() / 1e3 / Math.max(1, handshakes() + failures())));
    }
    if (stoppedByDuration) {
      sb.append("stopped after --max-duration ").append(config.maxDuration().toSeconds())
          .append(" s before all connections were made\n");
    }
    if (!failureReasons.isEmpty()) {
      sb.append("failures by cause:\n");
      failureReasons.forEach((k, v) -> sb.append("  ").append(v).append("  ").append(k).append('\n'));
    }
    if (disagreements > 0) {
      sb.append("note: ").append(disagreements).append(
          " connections where the node's own account of resumption differed from the client's\n");
    }
    return sb.toString();
  }

  /** The report as a JSON object. */
  String json() {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> cfg = new LinkedHashMap<>();
    List<Object> targets = new ArrayList<>();
    config.targets().forEach(t -> targets.add(t.toString()));
    cfg.put("targets", targets);
    cfg.put("connections", config.connections());
    cfg.put("concurrency", config.concurrency());
    cfg.put("resume", config.resume().name().toLowerCase(Locale.ROOT));
    cfg.put("tls", config.tlsVersion());
    cfg.put("client", providerUsed);
    cfg.put("insecure", config.insecure());
    root.put("config", cfg);
    root.put("elapsedSeconds", elapsed.toNanos() / 1e9);
    root.put("stoppedByMaxDuration", stoppedByDuration);
    List<Object> nodes = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("node", r.node);
      n.put("full", r.full);
      n.put("resumedLocal", r.resumedLocal);
      n.put("resumedCrossNode", r.resumedCross);
      n.put("failures", r.failures);
      n.put("handshakesPerSecond", perSecond(r.handshakes()));
      n.put("nodeSaid", new LinkedHashMap<String, Object>(r.nodeClaims));
      nodes.add(n);
    }
    root.put("nodes", nodes);
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("full", total(Kind.FULL));
    totals.put("resumedLocal", total(Kind.RESUMED_LOCAL));
    totals.put("resumedCrossNode", total(Kind.RESUMED_CROSS));
    totals.put("failures", failures());
    totals.put("handshakesPerSecond", handshakesPerSecond());
    totals.put("disagreements", disagreements);
    totals.put("disagreementExamples", new ArrayList<Object>(disagreementExamples));
    root.put("totals", totals);
    Map<String, Object> lat = new LinkedHashMap<>();
    lat.put("p50", percentileMillis(allNanos, 50));
    lat.put("p99", percentileMillis(allNanos, 99));
    lat.put("fullP50", percentileMillis(fullNanos, 50));
    lat.put("fullP99", percentileMillis(fullNanos, 99));
    lat.put("resumedP50", percentileMillis(resumedNanos, 50));
    lat.put("resumedP99", percentileMillis(resumedNanos, 99));
    root.put("latencyMillis", lat);
    root.put("clientCpuSeconds", clientCpu == null ? null : clientCpu.toNanos() / 1e9);
    root.put("clientCpuShareOfOneCore", clientCpu == null ? null : cpuShare());
    root.put("protocols", new LinkedHashMap<String, Object>(protocols));
    root.put("failureReasons", new LinkedHashMap<String, Object>(failureReasons));
    StringBuilder sb = new StringBuilder();
    Json.write(root, sb, 0);
    return sb.append('\n').toString();
  }

  /** A minimal JSON writer for maps, lists, strings, numbers and booleans. */
  static final class Json {
    private Json() {}

    static void write(Object v, StringBuilder sb, int indent) {
      if (v == null) {
        sb.append("null");
      } else if (v instanceof Map<?, ?> m) {
        if (m.isEmpty()) {
          sb.append("{}");
          return;
        }
        sb.append("{\n");
        int i = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          sb.append("  ".repeat(indent + 1));
          string(String.valueOf(e.getKey()), sb);
          sb.append(": ");
          write(e.getValue(), sb, indent + 1);
          sb.append(++i < m.size() ? ",\n" : "\n");
        }
        sb.append("  ".repeat(indent)).append('}');
      } else if (v instanceof List<?> l) {
        if (l.isEmpty()) {
          sb.append("[]");
          return;
        }
        sb.append("[\n");
        for (int i = 0; i < l.size(); i++) {
          sb.append("  ".repeat(indent + 1));
          write(l.get(i), sb, indent + 1);
          sb.append(i + 1 < l.size() ? ",\n" : "\n");
        }
        sb.append("  ".repeat(indent)).append(']');
      } else if (v instanceof Double d) {
        sb.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d));
      } else if (v instanceof Number || v instanceof Boolean) {
        sb.append(v);
      } else {
        string(v.toString(), sb);
      }
    }

    static void string(String s, StringBuilder sb) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (c < 0x20) {
              sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      sb.append('"');
    }
  }
}
