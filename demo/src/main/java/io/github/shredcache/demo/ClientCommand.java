package io.github.shredcache.demo;

import io.github.shredcache.demo.ClientConfig.Provider;
import io.github.shredcache.demo.ClientConfig.ResumeMode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code client}: the load client. Exit code 0 when every connection succeeded, 1 when some
 * failed, 2 for bad flags.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
    description = {
        "Makes real TLS connections to demo nodes (handshake, GET /, close) and counts per node",
        "full handshakes, local and cross-node resumptions, failures and handshakes per second."},
    footer = {"", "Exit status: 0 all connections succeeded, 1 some failed, 2 bad flags."})
final class ClientCommand implements Callable<Integer> {

  @Option(names = "--targets", required = true, paramLabel = "H:P[,H:P...]",
      description = "Nodes or a balancer to connect to, used round-robin.")
  String targets;

  @Option(names = "--connections", paramLabel = "N", defaultValue = "1000",
      description = "Connections to make in total (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--concurrency", paramLabel = "C", defaultValue = "8",
      description = "Connections in flight at once; each has its own session (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--resume", paramLabel = "none|same|cross", defaultValue = "none",
      description = {"none: a full handshake every time; same: resume on the same target;",
          "cross: resume on the next target round-robin (default: ${DEFAULT-VALUE})."})
  String resume;

  @Option(names = "--tls", paramLabel = "1.2|1.3", defaultValue = "1.2",
      description = "TLS version (default: ${DEFAULT-VALUE}; the Bouncy Castle nodes resume TLS 1.2 only).")
  String tls;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON here.")
  Path json;

  @Option(names = "--insecure",
      description = "Trust any server certificate (INSECURE: for the demo's self-signed nodes only).")
  boolean insecure;

  @Option(names = "--ca", paramLabel = "cert.pem",
      description = "Trust this certificate (PEM); the chain is checked, host names are not.")
  Path ca;

  @Option(names = "--max-duration", paramLabel = "DURATION", defaultValue = "60s",
      description = "Stop after this long even if connections remain (default: ${DEFAULT-VALUE}).")
  String maxDuration;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "Most one connection may take (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--provider", paramLabel = "auto|openssl|jdk", defaultValue = "auto",
      description = "TLS client: Netty's OpenSSL (BoringSSL) engine or the JDK's (default: ${DEFAULT-VALUE}).")
  String provider;

  @Option(names = "--threads", paramLabel = "T", defaultValue = "0",
      description = "Client event loop threads; 0 (the default): one per core, so the client is"
          + " not the bottleneck.")
  int threads;

  @Option(names = "--quiet", description = "No progress output.")
  boolean quiet;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "0",
      description = "Connections made first and not counted, to warm up the JIT of client and"
          + " nodes (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Override
  public Integer call() throws Exception {
    return run(System.out, System.err);
  }

  int run(PrintStream out, PrintStream err) throws Exception {
    ClientConfig config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      err.println("client: " + e.getMessage());
      return 2;
    }
    if (warmup < 0) {
      err.println("client: --warmup must be 0 or more, was " + warmup);
      return 2;
    }
    if (warmup > 0) {
      ClientConfig w = new ClientConfig(config.targets(), warmup, config.concurrency(),
          config.resume(), config.tlsVersion(), config.maxDuration(), config.connectionTimeout(),
          config.insecure(), config.caFile(), config.provider(), config.threads());
      ClientReport wr = new LoadClient(w).run(done -> { }, 1000);
      out.printf(java.util.Locale.ROOT, "warm-up: %d connections, %d failures, %.1f/s (not counted)%n",
          wr.handshakes() + wr.failures(), wr.failures(), wr.handshakesPerSecond());
    }
    ClientReport report = execute(config, out, !quiet, System.console() != null);
    out.print(report.table());
    if (json != null) {
      writeJson(json, report);
    }
    return report.failures() == 0 ? 0 : 1;
  }

  /** Runs one load with progress output and returns the report. */
  static ClientReport execute(ClientConfig config, PrintStream out, boolean progress,
      boolean terminal) throws Exception {
    if (config.insecure()) {
      out.println("client: --insecure: trusting any server certificate (demo only)");
    }
    LoadClient.Progress bar = new LoadClient.Progress(out, config.connections(), terminal);
    ClientReport report = new LoadClient(config).run(
        progress ? bar : done -> { }, terminal ? 200 : 1000);
    return report;
  }

  static void writeJson(Path file, ClientReport report) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, report.json(), StandardCharsets.UTF_8);
  }

  ClientConfig config() {
    if (ca != null && !Files.isReadable(ca)) {
      throw new IllegalArgumentException("--ca " + ca + ": cannot read the file");
    }
    return new ClientConfig(
        ClientConfig.Target.parseList(targets),
        connections,
        concurrency,
        parseEnum(ResumeMode.class, "--resume", resume),
        tls,
        parseDuration("--max-duration", maxDuration),
        parseDuration("--timeout", timeout),
        insecure,
        Optional.ofNullable(ca),
        parseEnum(Provider.class, "--provider", provider),
        threads == 0 ? Math.min(64, Runtime.getRuntime().availableProcessors()) : threads);
  }

  static <E extends Enum<E>> E parseEnum(Class<E> type, String flag, String value) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      StringBuilder allowed = new StringBuilder();
      for (E c : type.getEnumConstants()) {
        allowed.append(allowed.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException(flag + " must be one of " + allowed + ", was '" + value + "'");
    }
  }

  /** Parses {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h} or an ISO-8601 duration. */
  static Duration parseDuration(String flag, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("p") || v.startsWith("pt")) {
        return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      switch (v.charAt(v.length() - 1)) {
        case 's': return Duration.ofSeconds(n);
        case 'm': return Duration.ofMinutes(n);
        case 'h': return Duration.ofHours(n);
        default: break;
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(flag + " must be a duration such as 500ms, 30s, 2m, was '"
        + value + "'");
  }
}
