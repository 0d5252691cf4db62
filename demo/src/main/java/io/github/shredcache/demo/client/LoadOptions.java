package io.github.shredcache.demo.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of one load run that {@code client} and {@code cluster} share, a picocli mixin:
 * {@code --connections}, {@code --concurrency}, {@code --json} and {@code --tls}. Each command
 * chooses its own defaults for the counts (the help shows them); values are checked where the run
 * is configured ({@link ClientConfig}, the cluster's options).
 */
public final class LoadOptions {
  @Option(names = "--connections", paramLabel = "N",
      description = "Connections to make in total (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--concurrency", paramLabel = "C",
      description = "Connections in flight at once; each has its own session (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON here.")
  Path json;

  @Option(names = "--tls", paramLabel = "1.2|1.3", defaultValue = "1.2",
      description = "TLS version (default: ${DEFAULT-VALUE}; the Bouncy Castle nodes resume TLS 1.2 only).")
  String tls;

  /** Options whose {@code --connections} and {@code --concurrency} default to these values. */
  public LoadOptions(int defaultConnections, int defaultConcurrency) {
    this.connections = defaultConnections;
    this.concurrency = defaultConcurrency;
  }

  /** {@code --connections}: how many connections to make in total. */
  public int connections() {
    return connections;
  }

  /** {@code --concurrency}: how many connections are in flight at once. */
  public int concurrency() {
    return concurrency;
  }

  /** {@code --tls}: the TLS version, as given (not checked here). */
  public String tls() {
    return tls;
  }

  /**
   * Writes {@code report} as JSON to the {@code --json} file (creating its directory), if one was
   * given; returns that file, or null without {@code --json}.
   */
  public Path writeJson(ClientReport report) throws IOException {
    if (json == null) {
      return null;
    }
    Path parent = json.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(json, report.json());
    return json;
  }
}
