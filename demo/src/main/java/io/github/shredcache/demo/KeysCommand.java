package io.github.shredcache.demo;

import io.github.shredcache.core.KeyToken;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code keys}: makes and advances key tokens ({@code sc1:<epochSeconds>:<epoch>:<state>}).
 *
 * <p>A token is a secret: whoever holds it derives the keys of its epoch and of every later one.
 * Keep it off disk (e.g. on a tmpfs) and advance the stored copy at least once per epoch; its age
 * bounds forward secrecy.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Make and advance key tokens (the seed of the forward-secure epoch key ratchet).",
    subcommands = {KeysCommand.Init.class, KeysCommand.Advance.class, KeysCommand.Info.class})
final class KeysCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a subcommand is required: init, advance or info");
  }

  /** Returns the current epoch of {@code clock} for a chain with {@code epochLength}. */
  static long currentEpoch(Duration epochLength, InstantSource clock) {
    return Math.floorDiv(clock.instant().getEpochSecond(), epochLength.getSeconds());
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Print a new key token for a new chain, starting at the current epoch.",
        "Give the same token (or a later one of the same chain) to every node of a cluster."
      })
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--epoch-length",
        defaultValue = "1h",
        paramLabel = "DURATION",
        description = "Epoch length: keys rotate and old ones are erased at this pace (default: ${DEFAULT-VALUE}).")
    Duration epochLength;

    @Override
    public Integer call() {
      KeyToken token;
      try {
        token = KeyToken.generate(epochLength, InstantSource.system());
      } catch (IllegalArgumentException e) {
        throw new UsageException("--epoch-length " + epochLength + ": " + e.getMessage());
      }
      try {
        PrintWriter out = spec.commandLine().getOut();
        out.println(token.encode());
        out.flush();
      } finally {
        token.destroy();
      }
      return 0;
    }
  }

  @Command(
      name = "advance",
      mixinStandardHelpOptions = true,
      description = {
        "Print the token of --token-file advanced to the current epoch.",
        "Replace the stored copy with it at least once per epoch: an old token can derive newer keys."
      })
  static final class Advance implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--token-file", required = true, paramLabel = "FILE", description = "File holding a token.")
    Path tokenFile;

    @Override
    public Integer call() {
      InstantSource clock = InstantSource.system();
      KeyToken token = SecretFiles.readToken(tokenFile, "--token-file", clock);
      KeyToken advanced = null;
      try {
        long epoch = currentEpoch(token.epochLength(), clock);
        advanced = token.advanceTo(Math.max(epoch, token.epoch()));
        PrintWriter out = spec.commandLine().getOut();
        out.println(advanced.encode());
        out.flush();
      } finally {
        token.destroy();
        if (advanced != null) {
          advanced.destroy();
        }
      }
      return 0;
    }
  }

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description = "Print a token's epoch length, epoch and age (never its secret).")
  static final class Info implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--token-file", required = true, paramLabel = "FILE", description = "File holding a token.")
    Path tokenFile;

    @Override
    public Integer call() {
      InstantSource clock = InstantSource.system();
      KeyToken token = SecretFiles.readToken(tokenFile, "--token-file", clock);
      try {
        long seconds = token.epochLength().getSeconds();
        long current = currentEpoch(token.epochLength(), clock);
        PrintWriter out = spec.commandLine().getOut();
        out.println("epoch-length: " + seconds + "s");
        out.println("epoch: " + token.epoch() + " (starts " + Instant.ofEpochSecond(token.epoch() * seconds) + ")");
        out.println("current-epoch: " + current);
        out.println("epochs-behind: " + (current - token.epoch())
            + (current > token.epoch() ? " (advance the stored copy: 'keys advance')" : ""));
        out.flush();
      } finally {
        token.destroy();
      }
      return 0;
    }
  }
}
