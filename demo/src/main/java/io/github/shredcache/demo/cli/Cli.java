package io.github.shredcache.demo.cli;

import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * How every command of the demo parses and fails: durations as people write them ({@link
 * DurationConverter}), enum values in any case, and errors as one {@code error: ...} line on stderr
 * followed by a hint. Exit codes: 0 success, 1 a failure while running, {@link #EXIT_USAGE} a usage
 * error (a bad flag, or a {@link UsageException} after parsing). Secrets are never printed.
 */
public final class Cli {
  /** Exit code of a usage error: bad flags, missing files, bad token (picocli's default). */
  private static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

  private Cli() {}

  /**
   * Returns {@code command} ready to run: parsing as {@link #parser} does, output to {@code out},
   * errors to {@code err} as described above.
   */
  public static CommandLine commandLine(Object command, PrintWriter out, PrintWriter err) {
    CommandLine cl = parser(command);
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler(Cli::handleUsageError);
    cl.setExecutionExceptionHandler(Cli::handleFailure);
    return cl;
  }

  /**
   * Returns a command line that parses {@code command}'s options as the demo's commands do
   * (durations, enums in any case); for parsing arguments without running the command.
   */
  public static CommandLine parser(Object command) {
    CommandLine cl = new CommandLine(command);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.registerConverter(Duration.class, new DurationConverter());
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
}
