package io.github.shredcache.demo;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the demo's command line in this JVM, as {@code java -jar shredcache-demo.jar ARGS}
 * would do it: the exit code and what the command wrote to its two streams.
 */
public record CommandRun(int code, String out, String err) {

  /** Runs {@code args} through {@link Main#execute} and returns its exit code and output. */
  public static CommandRun run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new CommandRun(code, out.toString(), err.toString());
  }
}
