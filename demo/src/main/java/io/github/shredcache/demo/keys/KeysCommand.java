package io.github.shredcache.demo.keys;

import io.github.shredcache.core.KeyToken;
import io.github.shredcache.demo.cli.SecretFiles;
import io.github.shredcache.demo.cli.UsageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
public final class KeysCommand implements Runnable {
  /** How long after an epoch boundary {@code advance --follow} rewrites the token. */
  static final Duration FOLLOW_MARGIN = Duration.ofMillis(500);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a subcommand is required: init, advance or info");
  }

  /**
   * Replaces the token in {@code file} with the same chain's token of the clock's current epoch,
   * atomically; returns the chain's epoch length. Never prints or logs the token.
   */
  public static Duration advanceInPlace(Path file, InstantSource clock) throws IOException {
    return withAdvanced(file, "token file", clock, advanced -> write(file, advanced));
  }

  /** What to do with an advanced token (it is destroyed afterwards). */
  @FunctionalInterface
  interface TokenAction {
    void accept(KeyToken advanced) throws IOException;
  }

  /**
   * Reads the token in {@code file}, advances it to the clock's current epoch (never back), hands
   * the advanced token to {@code action} and destroys both tokens; returns the chain's epoch length.
   */
  static Duration withAdvanced(Path file, String option, InstantSource clock, TokenAction action)
      throws IOException {
    KeyToken token = SecretFiles.readToken(file, option, clock);
    KeyToken advanced = null;
    try {
      advanced = token.advanceTo(Math.max(currentEpoch(token.epochLength(), clock), token.epoch()));
      action.accept(advanced);
      return token.epochLength();
    } finally {
      token.destroy();
      if (advanced != null) {
        advanced.destroy();
      }
    }
  }

  private static void write(Path file, KeyToken token) throws IOException {
    char[] text = token.encode().toCharArray();
    try {
      SecretFiles.replaceAtomically(file, text);
    } finally {
      Arrays.fill(text, '\0');
    }
  }

  /** Returns the delay from {@code clock}'s now to just after the next epoch boundary. */
  public static Duration untilNextEpoch(Duration epochLength, InstantSource clock) {
    long next = currentEpoch(epochLength, clock) + 1;
    return Duration.ofMillis(Math.max(0,
        next * epochLength.toMillis() + FOLLOW_MARGIN.toMillis() - clock.millis()));
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

    @Mixin TokenFileOption token;

    @Option(names = "--in-place", description = {
        "Replace the token in --token-file atomically (new private file, then rename) instead of",
        "printing it; the old file's bytes are overwritten with zeros."})
    boolean inPlace;

    @Option(names = "--follow", description = {
        "With --in-place: keep running and advance the file at every epoch boundary",
        "(the advancer of a deployment; nodes started later begin from the advanced token)."})
    boolean follow;

    @Override
    public Integer call() throws IOException, InterruptedException {
      if (follow && !inPlace) {
        throw new UsageException("--follow needs --in-place: it rewrites the token file every epoch");
      }
      InstantSource clock = InstantSource.system();
      Duration epochLength = advanceOnce(clock);
      while (follow) {
        Thread.sleep(untilNextEpoch(epochLength, clock).toMillis());
        advanceOnce(clock);
      }
      return 0;
    }

    /** Advances the token once (printing it, or in place); returns the chain's epoch length. */
    private Duration advanceOnce(InstantSource clock) throws IOException {
      Path tokenFile = token.file;
      return withAdvanced(tokenFile, "--token-file", clock, advanced -> {
        PrintWriter out = spec.commandLine().getOut();
        if (inPlace) {
          write(tokenFile, advanced);
          out.println("keys: " + tokenFile + " advanced to epoch " + advanced.epoch());
        } else {
          out.println(advanced.encode());
        }
        out.flush();
      });
    }
  }

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description = "Print a token's epoch length, epoch and age (never its secret).")
  static final class Info implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin TokenFileOption token;

    @Override
    public Integer call() {
      InstantSource clock = InstantSource.system();
      KeyToken read = SecretFiles.readToken(token.file, "--token-file", clock);
      try {
        long seconds = read.epochLength().getSeconds();
        long current = currentEpoch(read.epochLength(), clock);
        PrintWriter out = spec.commandLine().getOut();
        out.println("epoch-length: " + seconds + "s");
        out.println("epoch: " + read.epoch() + " (starts " + Instant.ofEpochSecond(read.epoch() * seconds) + ")");
        out.println("current-epoch: " + current);
        out.println("epochs-behind: " + (current - read.epoch())
            + (current > read.epoch() ? " (advance the stored copy: 'keys advance')" : ""));
        out.flush();
      } finally {
        read.destroy();
      }
      return 0;
    }
  }
}
