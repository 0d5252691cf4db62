package io.github.shredcache.testing.tls;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One {@code openssl s_client} connection to a server on 127.0.0.1: the real OpenSSL client, with
 * its sessions ({@code -sess_out}/{@code -sess_in}) for resumption across nodes.
 *
 * <pre>{@code
 * Path session = dir.resolve("session.pem");
 * OpenSslClient.to(nodeA.port()).args("-tls1_2").sessionOut(session).handshake();
 * OpenSslClient.Result r = OpenSslClient.to(nodeB.port()).args("-tls1_2").sessionIn(session).run();
 * assertThat(r.reused()).as(r.output()).isTrue();   // "Reused, TLSv1.2"
 * }</pre>
 *
 * <p>By default the client sends SNI {@code localhost}, closes its input at once (so it ends after
 * the handshake) and is given 30 s. {@link #send} writes a request instead and reads until the
 * server closes ({@code -ign_eof}), which also receives what a server sends after the handshake
 * (TLS 1.3 tickets). Output (stdout and stderr) goes through a temporary file, deleted afterwards.
 * Runs {@code openssl} from the {@code PATH}; {@link #available()} says whether there is one. Not
 * thread-safe (a builder); each {@link #run} starts a new process, stopped by its own handle.
 */
public final class OpenSslClient {
  private static final Pattern SUMMARY =
      Pattern.compile("^(New|Reused), (TLSv1\\.[0-9]|SSLv3)", Pattern.MULTILINE);
  private static final Pattern SESSION_ID = Pattern.compile("Session-ID: ([0-9A-F]*)");
  private static final Pattern KEYLOG =
      Pattern.compile("^CLIENT_RANDOM [0-9a-fA-F]{64} ([0-9a-fA-F]{96})$", Pattern.MULTILINE);
  private static volatile @Nullable Boolean available;

  private final int port;
  private String serverName = "localhost";
  private final List<String> args = new ArrayList<>();
  private @Nullable Path sessionIn;
  private @Nullable Path sessionOut;
  private boolean keyLog;
  private @Nullable String request;
  private Duration timeout = Duration.ofSeconds(30);

  private OpenSslClient(int port) {
    this.port = port;
  }

  /** A client for 127.0.0.1:{@code port}. */
  public static OpenSslClient to(int port) {
    return new OpenSslClient(port);
  }

  /** Whether an {@code openssl} binary runs ({@code openssl version}); checked once. */
  public static boolean available() {
    Boolean a = available;
    if (a == null) {
      try {
        Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        a = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        p.destroyForcibly();
      } catch (IOException e) {
        a = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        a = false;
      }
      available = a;
    }
    return a;
  }

  /** Sends {@code name} as SNI (default "localhost"); null sends none ({@code -noservername}). */
  public OpenSslClient serverName(String name) {
    this.serverName = name;
    return this;
  }

  /** Adds {@code s_client} options, e.g. {@code "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"}. */
  public OpenSslClient args(String... more) {
    args.addAll(List.of(more));
    return this;
  }

  /** Offers the session in {@code file} ({@code -sess_in}). */
  public OpenSslClient sessionIn(Path file) {
    this.sessionIn = file;
    return this;
  }

  /** Writes the session the connection ends with to {@code file} ({@code -sess_out}). */
  public OpenSslClient sessionOut(Path file) {
    this.sessionOut = file;
    return this;
  }

  /** Records the TLS 1.2 master secret ({@code -keylogfile}): {@link Result#masterSecretHex()}. */
  public OpenSslClient keyLog() {
    this.keyLog = true;
    return this;
  }

  /**
   * Writes {@code text} (e.g. an HTTP request) after the handshake and reads until the server
   * closes the connection ({@code -ign_eof}).
   */
  public OpenSslClient send(String text) {
    this.request = Objects.requireNonNull(text, "text");
    return this;
  }

  /** How long the client may run before the test fails (default 30 s). */
  public OpenSslClient timeout(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Runs the client to its end, whatever the handshake's outcome (a refused handshake is an
   * output to check, e.g. for an alert).
   *
   * @throws AssertionError if it did not end within the timeout
   */
  public Result run() throws IOException, InterruptedException {
    Path log = Files.createTempFile("s_client", ".log");
    Path keys = keyLog ? Files.createTempFile("s_client", ".keylog") : null;
    List<String> cmd = command(keys);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    try {
      try (OutputStream stdin = p.getOutputStream()) {
        if (request != null) {
          stdin.write(request.getBytes(StandardCharsets.UTF_8));
        }
      }
      boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      // lenient: a server's reply may be binary (an HTTP/2 frame), not UTF-8
      String output = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      if (!finished) {
        throw new AssertionError("openssl s_client did not finish within " + timeout + ": " + cmd
            + "\n" + output);
      }
      String keyLines = keys == null ? "" : Files.readString(keys, StandardCharsets.US_ASCII);
      return new Result(String.join(" ", cmd), output, keyLines);
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(log);
      if (keys != null) {
        Files.deleteIfExists(keys);
      }
    }
  }

  /**
   * {@link #run()}, requiring a completed handshake (a {@code New} or {@code Reused} line) and, if
   * {@link #sessionOut} was given, a written session.
   *
   * @throws AssertionError with the client's output otherwise
   */
  public Result handshake() throws IOException, InterruptedException {
    Result r = run();
    if (!r.completed()) {
      throw new AssertionError("no New/Reused line (handshake failed?) from " + r.command + ":\n"
          + r.output());
    }
    if (sessionOut != null && (!Files.exists(sessionOut) || Files.size(sessionOut) == 0)) {
      throw new AssertionError("openssl s_client wrote no session to " + sessionOut + ":\n"
          + r.output());
    }
    return r;
  }

  /**
   * Connects, sends nothing and keeps the connection open until a session has been written to
   * {@link #sessionOut} (for TLS 1.3: the server sent a ticket without waiting for data) or
   * {@code within} passed; then stops the client.
   *
   * @return whether the session arrived in time
   */
  public boolean sessionWithoutSending(Duration within) throws IOException, InterruptedException {
    Path out = Objects.requireNonNull(sessionOut, "sessionOut");
    Files.deleteIfExists(out);
    Path log = Files.createTempFile("s_client", ".log");
    List<String> cmd = command(null);
    if (request == null) {
      cmd.add("-ign_eof"); // keep reading although nothing is sent
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    OutputStream stdin = p.getOutputStream(); // open and silent until the end
    try {
      await().atMost(within).pollInterval(Duration.ofMillis(20))
          .until(() -> written(out) || !p.isAlive());
      return written(out);
    } catch (ConditionTimeoutException notInTime) {
      return false;
    } finally {
      stdin.close();
      p.destroyForcibly();
      p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Files.deleteIfExists(log);
    }
  }

  private static boolean written(Path file) {
    try {
      return Files.exists(file) && Files.size(file) > 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> command(@Nullable Path keys) {
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect",
        "127.0.0.1:" + port));
    cmd.addAll(serverName == null ? List.of("-noservername") : List.of("-servername", serverName));
    cmd.addAll(args);
    if (request != null) {
      cmd.add("-ign_eof");
    }
    if (keys != null) {
      cmd.addAll(List.of("-keylogfile", keys.toString()));
    }
    if (sessionIn != null) {
      cmd.addAll(List.of("-sess_in", sessionIn.toString()));
    }
    if (sessionOut != null) {
      cmd.addAll(List.of("-sess_out", sessionOut.toString()));
    }
    return cmd;
  }

  /** What one {@code s_client} run printed, and what that says about its handshake. */
  public static final class Result {
    private final String command;
    private final String output;
    private final @Nullable Matcher summary;
    private final String keyLog;

    private Result(String command, String output, String keyLog) {
      this.command = command;
      this.output = output;
      Matcher m = SUMMARY.matcher(output);
      this.summary = m.find() ? m : null;
      this.keyLog = keyLog;
    }

    /** Everything the client printed (stdout and stderr), e.g. the server's page or an alert. */
    public String output() {
      return output;
    }

    /** Whether a handshake completed: the client printed {@code New, ...} or {@code Reused, ...}. */
    public boolean completed() {
      return summary != null;
    }

    /** Whether the session was resumed ({@code Reused, ...}); false for a failed handshake. */
    public boolean reused() {
      return summary != null && "Reused".equals(summary.group(1));
    }

    /** "New" or "Reused"; null if no handshake completed. */
    public @Nullable String kind() {
      return summary == null ? null : summary.group(1);
    }

    /** The protocol of the summary line, e.g. "TLSv1.3"; null if no handshake completed. */
    public @Nullable String protocol() {
      return summary == null ? null : summary.group(2);
    }

    /** The session ID the client printed (upper-case hex, empty for none or TLS 1.3 tickets). */
    public String sessionIdHex() {
      Matcher m = SESSION_ID.matcher(output);
      return m.find() ? m.group(1) : "";
    }

    /** The TLS 1.2 master secret from the key log (lower-case hex), or null without {@link #keyLog()}. */
    public @Nullable String masterSecretHex() {
      Matcher m = KEYLOG.matcher(keyLog);
      return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
    }

    /** The summary, e.g. "Reused, TLSv1.3", or "no handshake". */
    @Override
    public String toString() {
      return summary == null ? "no handshake" : kind() + ", " + protocol();
    }
  }
}
