package io.github.shredcache.testing.memcached;

import io.github.shredcache.testing.net.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code memcached} process on {@code 127.0.0.1} and a free port, for tests: started by
 * {@link #start()} or {@link #builder()}, stopped by PID, and able to misbehave on demand.
 *
 * <pre>{@code
 * try (MemcachedProcess memcached = MemcachedProcess.start()) {
 *   store = MemcachedSessionStore.builder().servers(memcached.address()).build();
 *   ...
 *   memcached.pause();      // SIGSTOP: connections stay open, nothing answers
 *   memcached.resume();     // SIGCONT
 *   memcached.kill();       // SIGKILL: connections reset, data lost
 *   memcached.restart();    // same port, empty
 *   memcached.raw().keys(); // what is stored, via the text protocol
 * }
 * }</pre>
 *
 * <p>Runs {@code /usr/bin/memcached} (or {@code $MEMCACHED_BIN}) as {@code memcached -l 127.0.0.1
 * -p <port> -U 0 [-m <MB>] [-S]}, adding {@code -u root} when the tests run as root (memcached
 * refuses root otherwise). The port is found by binding port 0, then memcached is started on it;
 * if another process took the port in between, it retries with a new one. {@link #start()} returns
 * once the port accepts connections. In SASL mode ({@link Builder#sasl}) a sasldb with one user is
 * made with {@code saslpasswd2} in a temporary directory and memcached reads it through {@code
 * SASL_CONF_PATH} ({@code mech_list: plain}); such a server speaks the binary protocol only, so
 * {@link #raw()} does not work on it.
 *
 * <p>Not thread-safe (use from the test thread). {@link #close()} kills the process (resuming it
 * first if paused) and deletes the temporary directory; use try-with-resources or call it from an
 * {@code @AfterEach}/{@code @AfterAll}.
 */
public final class MemcachedProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final int START_ATTEMPTS = 5;

  private final Builder config;
  private final Path workDir;
  private final int port;
  private Process process;
  private boolean paused;

  private MemcachedProcess(Builder config, Path workDir, int port, Process process) {
    this.config = config;
    this.workDir = workDir;
    this.port = port;
    this.process = process;
  }

  /** Starts a memcached with default settings (64 MB, no SASL). */
  public static MemcachedProcess start() {
    return builder().start();
  }

  /** Returns a builder for a memcached with other settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** Options for {@link MemcachedProcess}. */
  public static final class Builder {
    private int memoryLimitMegabytes = 64;
    private @Nullable String saslUser;
    private @Nullable String saslPassword;
    private final List<String> extraArgs = new ArrayList<>();

    private Builder() {}

    /** {@code -m}: the item memory in megabytes (memcached's minimum is a few MB per slab). */
    public Builder memoryLimitMegabytes(int megabytes) {
      if (megabytes < 1) {
        throw new IllegalArgumentException("memory limit must be at least 1 MB, was " + megabytes);
      }
      this.memoryLimitMegabytes = megabytes;
      return this;
    }

    /** {@code -S}: require SASL (PLAIN) with this one user. */
    public Builder sasl(String user, String password) {
      this.saslUser = Objects.requireNonNull(user, "user");
      this.saslPassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /** Any further memcached arguments, e.g. {@code "-I", "2m"}. */
    public Builder extraArgs(String... args) {
      extraArgs.addAll(Arrays.asList(args));
      return this;
    }

    /** Starts the process and waits until it accepts connections. */
    public MemcachedProcess start() {
      Path dir;
      try {
        dir = Files.createTempDirectory("memcached-test-");
        if (saslUser != null && saslPassword != null) { // sasl(..) sets both
          createSaslDb(dir, saslUser, saslPassword);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare memcached work directory", e);
      }
      IllegalStateException last = null;
      for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        int port = FreePort.loopback();
        try {
          Process p = launch(this, dir, port);
          return new MemcachedProcess(this, dir, port, p);
        } catch (PortTakenException e) {
          last = e; // somebody took the port between our probe and memcached's bind: retry
        }
      }
      deleteRecursively(dir);
      throw new IllegalStateException(
          "memcached could not bind a free port in " + START_ATTEMPTS + " attempts", last);
    }

    /** /usr/sbin is not on every user's PATH. */
    private static String saslpasswd2() {
      Path sbin = Path.of("/usr/sbin/saslpasswd2");
      return Files.isExecutable(sbin) ? sbin.toString() : "saslpasswd2";
    }

    private static void createSaslDb(Path dir, String user, String password) throws IOException {
      Path db = dir.resolve("sasldb");
      Process p =
          new ProcessBuilder(
                  saslpasswd2(), "-a", "memcached", "-c", "-p", "-f", db.toString(), user)
              .redirectErrorStream(true)
              .start();
      p.getOutputStream().write(password.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
          p.destroyForcibly();
          throw new IllegalStateException(
              "saslpasswd2 failed (is sasl2-bin installed? .ci/run installs it): " + out);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while running saslpasswd2", e);
      }
      Files.writeString(
          dir.resolve("memcached.conf"), "mech_list: plain\nsasldb_path: " + db + "\n");
    }
  }

  /** Returns the port memcached listens on (the same across {@link #restart()}). */
  public int port() {
    return port;
  }

  /** Returns {@code "127.0.0.1:<port>"}, the form the store's server list takes. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** Returns the PID of the current process. */
  public long pid() {
    return process.pid();
  }

  /** Returns whether the process is running (a paused process is running). */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Returns a new text-protocol client for planting and scanning raw values (not in SASL mode). */
  public RawMemcachedClient raw() {
    if (config.saslUser != null) {
      throw new IllegalStateException("a SASL memcached speaks the binary protocol only");
    }
    return new RawMemcachedClient(new InetSocketAddress("127.0.0.1", port));
  }

  /** SIGKILL: the process dies at once, its connections are reset and its data is lost. */
  public void kill() {
    if (!process.isAlive()) {
      return;
    }
    process.toHandle().destroyForcibly();
    waitForExit();
    paused = false;
  }

  /** SIGSTOP: the process keeps its sockets open but answers nothing until {@link #resume()}. */
  public void pause() {
    signal("-STOP");
    paused = true;
  }

  /** SIGCONT: undoes {@link #pause()}. */
  public void resume() {
    signal("-CONT");
    paused = false;
  }

  /** Kills the process if it runs and starts a new, empty one on the same port. */
  public void restart() {
    kill();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try {
        process = launch(config, workDir, port);
        return;
      } catch (PortTakenException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("port " + port + " stayed taken after a kill", e);
        }
        sleep(50);
      }
    }
  }

  /** Kills the process (resuming it first if paused) and deletes its temporary directory. */
  @Override
  public void close() {
    if (paused && process.isAlive()) {
      resume();
    }
    kill();
    deleteRecursively(workDir);
  }

  @Override
  public String toString() {
    return "MemcachedProcess[" + address() + ", pid " + (process.isAlive() ? pid() : "exited")
        + (paused ? ", paused" : "") + (config.saslUser != null ? ", sasl" : "") + "]";
  }

  // ---------------------------------------------------------------------------------------------

  private static Process launch(Builder config, Path dir, int port) {
    String bin = System.getenv().getOrDefault("MEMCACHED_BIN", "/usr/bin/memcached");
    List<String> cmd = new ArrayList<>(List.of(bin, "-l", "127.0.0.1", "-p",
        Integer.toString(port), "-U", "0", "-m", Integer.toString(config.memoryLimitMegabytes)));
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.addAll(List.of("-u", "root"));
    }
    if (config.saslUser != null) {
      cmd.add("-S");
    }
    cmd.addAll(config.extraArgs);
    Path log = dir.resolve("memcached-" + port + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    if (config.saslUser != null) {
      pb.environment().put("SASL_CONF_PATH", dir.toString());
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot run " + bin + " (is memcached installed? .ci/run installs it)", e);
    }
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        String out = readQuietly(log);
        if (out.contains("Address already in use")) {
          throw new PortTakenException(port);
        }
        throw new IllegalStateException(
            "memcached exited with " + p.exitValue() + " at start: " + cmd + "\n" + out);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return p;
      } catch (IOException notYet) {
        sleep(10);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException(
        "memcached did not accept connections on port " + port + " within " + START_TIMEOUT);
  }

  private void signal(String signal) {
    if (!process.isAlive()) {
      throw new IllegalStateException("memcached on port " + port + " is not running");
    }
    try {
      Process kill =
          // the shell's built-in kill: no dependency on procps being installed
          new ProcessBuilder("/bin/sh", "-c", "kill " + signal + " " + process.pid())
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling memcached", e);
    }
  }

  private void waitForExit() {
    try {
      if (!process.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("memcached pid " + process.pid() + " did not exit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for memcached to exit", e);
    }
  }

  private static String readQuietly(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best-effort: a temp directory
    }
  }

  private static final class PortTakenException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTakenException(int port) {
      super("port " + port + " is taken");
    }
  }
}
