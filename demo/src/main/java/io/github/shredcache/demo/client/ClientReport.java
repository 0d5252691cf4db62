package io.github.shredcache.demo.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
  private static final JsonFactory JSON = new JsonFactory();
  private static final DefaultIndenter INDENT = new DefaultIndenter("  ", "\n");

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

  /**
   * The report as a JSON object, pretty-printed (two-space indent, a line break at the end).
   * Fractional numbers have three decimals; a number that is not known (a percentile without
   * samples, the CPU time where the JVM does not tell it) is {@code null}.
   */
  String json() {
    StringWriter text = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(text)) {
      g.setPrettyPrinter(new DefaultPrettyPrinter(Separators.createDefaultInstance()
              .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
              .withObjectEmptySeparator("")
              .withArrayEmptySeparator(""))
          .withObjectIndenter(INDENT)
          .withArrayIndenter(INDENT));
      g.writeStartObject();
      g.writeObjectFieldStart("config");
      g.writeArrayFieldStart("targets");
      for (ClientConfig.Target t : config.targets()) {
        g.writeString(t.toString());
      }
      g.writeEndArray();
      g.writeNumberField("connections", config.connections());
      g.writeNumberField("concurrency", config.concurrency());
      g.writeStringField("resume", config.resume().name().toLowerCase(Locale.ROOT));
      g.writeStringField("tls", config.tlsVersion());
      g.writeStringField("client", providerUsed);
      g.writeBooleanField("insecure", config.insecure());
      g.writeEndObject();
      writeDecimal(g, "elapsedSeconds", elapsed.toNanos() / 1e9);
      g.writeBooleanField("stoppedByMaxDuration", stoppedByDuration);
      g.writeArrayFieldStart("nodes");
      for (Row r : rows) {
        g.writeStartObject();
        g.writeStringField("node", r.node);
        g.writeNumberField("full", r.full);
        g.writeNumberField("resumedLocal", r.resumedLocal);
        g.writeNumberField("resumedCrossNode", r.resumedCross);
        g.writeNumberField("failures", r.failures);
        writeDecimal(g, "handshakesPerSecond", perSecond(r.handshakes()));
        writeCounts(g, "nodeSaid", r.nodeClaims);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeObjectFieldStart("totals");
      g.writeNumberField("full", total(Kind.FULL));
      g.writeNumberField("resumedLocal", total(Kind.RESUMED_LOCAL));
      g.writeNumberField("resumedCrossNode", total(Kind.RESUMED_CROSS));
      g.writeNumberField("failures", failures());
      writeDecimal(g, "handshakesPerSecond", handshakesPerSecond());
      g.writeNumberField("disagreements", disagreements);
      g.writeArrayFieldStart("disagreementExamples");
      for (String example : disagreementExamples) {
        g.writeString(example);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeObjectFieldStart("latencyMillis");
      writeDecimal(g, "p50", percentileMillis(allNanos, 50));
      writeDecimal(g, "p99", percentileMillis(allNanos, 99));
      writeDecimal(g, "fullP50", percentileMillis(fullNanos, 50));
      writeDecimal(g, "fullP99", percentileMillis(fullNanos, 99));
      writeDecimal(g, "resumedP50", percentileMillis(resumedNanos, 50));
      writeDecimal(g, "resumedP99", percentileMillis(resumedNanos, 99));
      g.writeEndObject();
      writeDecimal(g, "clientCpuSeconds", clientCpu == null ? Double.NaN : clientCpu.toNanos() / 1e9);
      writeDecimal(g, "clientCpuShareOfOneCore", clientCpu == null ? Double.NaN : cpuShare());
      writeCounts(g, "protocols", protocols);
      writeCounts(g, "failureReasons", failureReasons);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to a string", e); // a StringWriter never fails
    }
    return text.append('\n').toString();
  }

  /** Writes {@code value} with three decimals, or null if it is NaN or infinite. */
  private static void writeDecimal(JsonGenerator g, String name, double value) throws IOException {
    g.writeFieldName(name);
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      g.writeNull();
    } else {
      g.writeNumber(String.format(Locale.ROOT, "%.3f", value));
    }
  }

  /** Writes {@code counts} as an object of numbers, in the map's order. */
  private static void writeCounts(JsonGenerator g, String name, Map<String, Long> counts)
      throws IOException {
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      g.writeNumberField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }
}
