package io.github.shredcache.demo;

import io.github.shredcache.demo.certs.CertsCommand;
import io.github.shredcache.demo.cli.Cli;
import io.github.shredcache.demo.client.ClientCommand;
import io.github.shredcache.demo.cluster.ClusterCommand;
import io.github.shredcache.demo.keys.KeysCommand;
import io.github.shredcache.demo.node.NodeCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The demo's executable entry point: {@code java -jar shredcache-demo.jar <command> ...}.
 *
 * <p>Exit codes: 0 success, 1 a failure while running (e.g. the port is taken), 2 a usage error
 * (unknown or malformed flag, missing file, bad key token). Errors are printed as one {@code
 * error: ...} line on stderr followed by a hint; secrets are never printed.
 *
 * <h3>Where things are</h3>
 *
 * <ul>
 *   <li>{@code demo.node}: {@code node}, the TLS server with its engines, metrics and store;
 *   <li>{@code demo.client}: {@code client}, the load client and its report;
 *   <li>{@code demo.cluster}: {@code cluster}, the whole demo on one machine behind a balancer;
 *   <li>{@code demo.keys}: {@code keys}, key tokens; {@code demo.certs}: {@code certs};
 *   <li>{@code demo.cli}: what every command shares (errors, durations, secret files).
 * </ul>
 *
 * <h3>Adding a subcommand</h3>
 *
 * Write a picocli {@code @Command} class in the package of its part and add it to the {@code
 * subcommands} list below: that one line is the whole registration.
 */
@Command(
    name = "shredcache-demo",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Cluster-wide, forward-secure TLS session resumption: demo node, key tool and load client.",
    footer = {"", "Exit codes: 0 ok, 1 failure while running, 2 usage error."},
    subcommands = {
      CommandLine.HelpCommand.class,
      KeysCommand.class,
      CertsCommand.class,
      NodeCommand.class,
      ClientCommand.class,
      ClusterCommand.class,
    })
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a command is required (see --help)");
  }

  public static void main(String[] args) {
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the command line with the given streams and returns its exit code (for tests). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return commandLine(out, err).execute(args);
  }

  /** Returns the configured command line (see {@link Cli}). */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return Cli.commandLine(new Main(), out, err);
  }

  /** Prints the project version from the jar manifest, if any. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"shredcache-demo " + (v == null ? "(development build)" : v)};
    }
  }
}
