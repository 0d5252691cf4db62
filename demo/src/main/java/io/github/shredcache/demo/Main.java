package io.github.shredcache.demo;

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
 * <h3>Adding a subcommand</h3>
 *
 * Write a picocli {@code @Command} class in this package and add it to the {@code subcommands}
 * list below: that one line is the whole registration.
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
  /** Exit code of a usage error: bad flags, missing files, bad token (picocli's default). */
  public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

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

  /** Returns a configured command line: streams, error handlers and converters. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.registerConverter(java.time.Duration.class, new DurationConverter());
    cl.setParameterExceptionHandler(Main::handleUsageError);
    cl.setExecutionExceptionHandler(Main::handleFailure);
    return cl;
  }

  private static int handleUsageError(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println("error: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return EXIT_USAGE;
  }

  private static int handleFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof UsageException) {
      err.println("error: " + e.getMessage());
      err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
      err.flush();
      return EXIT_USAGE;
    }
    String message = e.getMessage();
    err.println("error: " + (message == null ? e.getClass().getName() : message));
    if (message == null || Boolean.getBoolean("shredcache.debug")) {
      e.printStackTrace(err);
    }
    err.flush();
    return CommandLine.ExitCode.SOFTWARE;
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
