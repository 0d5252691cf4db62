package io.github.shredcache.demo.cluster;

import io.github.shredcache.demo.client.ClientReport;
import io.github.shredcache.demo.client.LoadOptions;
import io.github.shredcache.demo.node.EngineOption;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
public final class ClusterCommand implements Callable<Integer> {

  @Option(names = "--nodes", defaultValue = "3", paramLabel = "N",
      description = "Nodes to start (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Mixin LoadOptions load = new LoadOptions(300, 6);

  @Mixin EngineOption engine;

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
      options = new LocalCluster.Options(nodes, load.connections(), load.concurrency(), load.tls(),
          inProcess, !noMemcached, engine.label());
    } catch (IllegalArgumentException e) {
      err.println("cluster: " + e.getMessage());
      return 2;
    }
    ClientReport report;
    try (LocalCluster cluster = new LocalCluster(options, out)) {
      report = cluster.run();
      out.print(report.table());
    }
    Path json = load.writeJson(report);
    if (json != null) {
      out.println("cluster: JSON report in " + json);
    }
    return report.failures() == 0 ? 0 : 1;
  }
}
