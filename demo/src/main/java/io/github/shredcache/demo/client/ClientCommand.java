package io.github.shredcache.demo.client;

import io.github.shredcache.demo.cli.DurationConverter;
import io.github.shredcache.demo.client.ClientConfig.Provider;
import io.github.shredcache.demo.client.ClientConfig.ResumeMode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code client}: the load client. Exit code 0 when every connection succeeded, 1 when some
 * failed, 2 for bad flags.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
    description = {
        "Makes real TLS connections to demo nodes (handshake, GET /, close) and counts per node",
        "full handshakes, local and cross-node resumptions, failures and handshakes per second."},
    footer = {"", "Exit status: 0 all connections succeeded, 1 some failed, 2 bad flags."})
public final class ClientCommand implements Callable<Integer> {

  @Option(names = "--targets", required = true, paramLabel = "H:P[,H:P...]",
      description = "Nodes or a balancer to connect to, used round-robin.")
  String targets;

  @Mixin LoadOptions load = new LoadOptions(1000, 8);

  @Option(names = "--resume", paramLabel = "none|same|cross", defaultValue = "none",
      description = {"none: a full handshake every time; same: resume on the same target;",
          "cross: resume on the next target round-robin (default: ${DEFAULT-VALUE})."})
  String resume;

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
    load.writeJson(report);
    return report.failures() == 0 ? 0 : 1;
  }

  /** Runs one load with progress output and returns the report. */
  public static ClientReport execute(ClientConfig config, PrintStream out, boolean progress,
      boolean terminal) throws Exception {
    if (config.insecure()) {
      out.println("client: --insecure: trusting any server certificate (demo only)");
    }
    LoadClient.Progress bar = new LoadClient.Progress(out, config.connections(), terminal);
    ClientReport report = new LoadClient(config).run(
        progress ? bar : done -> { }, terminal ? 200 : 1000);
    return report;
  }

  ClientConfig config() {
    if (ca != null && !Files.isReadable(ca)) {
      throw new IllegalArgumentException("--ca " + ca + ": cannot read the file");
    }
    return new ClientConfig(
        ClientConfig.Target.parseList(targets),
        load.connections(),
        load.concurrency(),
        parseEnum(ResumeMode.class, "--resume", resume),
        load.tls(),
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

  /** Parses a duration as every command does ({@link DurationConverter}): 500ms, 30s, 2m, PT1M. */
  static Duration parseDuration(String flag, String value) {
    try {
      return DurationConverter.parse(value);
    } catch (TypeConversionException e) {
      throw new IllegalArgumentException(flag + ": " + e.getMessage());
    }
  }
}
