package io.github.shredcache.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cluster}: the local demo in one command (see {@link LocalCluster}). Exit code 0 when every
 * connection succeeded, 1 otherwise, 2 for bad flags.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Run the whole demo locally: 2 private memcached servers (if installed), N nodes as child",
        "processes, a round-robin TCP balancer and the load client with --resume cross; print per",
        "node full, resumed local and resumed cross-node handshakes; stop everything again."},
    footer = {"", "Exit status: 0 all connections succeeded, 1 some failed or the start failed,"
        + " 2 bad flags."})
final class ClusterCommand implements Callable<Integer> {

  @Option(names = "--nodes", defaultValue = "3", paramLabel = "N",
      description = "Nodes to start (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--connections", defaultValue = "300", paramLabel = "N",
      description = "Connections the load client makes (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--concurrency", defaultValue = "6", paramLabel = "C",
      description = "Connections in flight at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON here.")
  Path json;

  @Option(names = "--tls", defaultValue = "1.2", paramLabel = "1.2|1.3",
      description = "TLS version of the load client (default: ${DEFAULT-VALUE}).")
  String tls;

  @Option(names = "--engine", defaultValue = "bc", paramLabel = "bc|openssl|jdk",
      description = "The nodes' TLS engine (default: ${DEFAULT-VALUE}).")
  String engine;

  @Option(names = "--in-process", description = "Run the nodes in this JVM instead of as processes.")
  boolean inProcess;

  @Option(names = "--no-memcached", description = "Do not start memcached even if it is installed.")
  boolean noMemcached;

  @Override
  public Integer call() throws Exception {
    return run(System.out, System.err);
  }

  int run(PrintStream out, PrintStream err) throws Exception {
    LocalCluster.Options options;
    try {
      if (!"1.2".equals(tls) && !"1.3".equals(tls)) {
        throw new IllegalArgumentException("--tls must be 1.2 or 1.3, was '" + tls + "'");
      }
      options = new LocalCluster.Options(nodes, connections, concurrency, tls, inProcess,
          !noMemcached, engine);
    } catch (IllegalArgumentException e) {
      err.println("cluster: " + e.getMessage());
      return 2;
    }
    ClientReport report;
    try (LocalCluster cluster = new LocalCluster(options, out)) {
      report = cluster.run();
      out.print(report.table());
    }
    if (json != null) {
      ClientCommand.writeJson(json, report);
      out.println("cluster: JSON report in " + json);
    }
    return report.failures() == 0 ? 0 : 1;
  }
}
