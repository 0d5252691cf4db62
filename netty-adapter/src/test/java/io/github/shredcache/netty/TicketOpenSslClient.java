package io.github.shredcache.netty;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code openssl s_client} against 127.0.0.1: sends one HTTP request on stdin and keeps
 * reading ({@code -ign_eof}) until the server closes, so the TLS 1.3 NewSessionTicket messages
 * (sent after the handshake) are received and written by {@code -sess_out}.
 */
final class TicketOpenSslClient {

  private static final Pattern SUMMARY = Pattern.compile("^(New|Reused), (TLSv1\\.[0-9])", Pattern.MULTILINE);
  private static final long TIMEOUT_SECONDS = 15;

  /** What the client printed: the summary line, and its whole output for failure messages. */
  record Result(String kind, String protocol, String output) {
    boolean reused() {
      return "Reused".equals(kind);
    }

    @Override
    public String toString() {
      return kind + ", " + protocol;
    }
  }

  private TicketOpenSslClient() {}

  /**
   * Connects with {@code version} ("-tls1_3" or "-tls1_2"); reads {@code sessIn} if not null and
   * writes the session it ends with to {@code sessOut} if not null.
   */
  static Result connect(int port, String version, Path sessIn, Path sessOut, String... extra)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        "openssl", "s_client", "-connect", "127.0.0.1:" + port, version, "-ign_eof",
        "-servername", "localhost"));
    cmd.addAll(List.of(extra));
    if (sessIn != null) {
      cmd.add("-sess_in");
      cmd.add(sessIn.toString());
    }
    if (sessOut != null) {
      cmd.add("-sess_out");
      cmd.add(sessOut.toString());
    }
    Path log = Files.createTempFile("s_client", ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      try (OutputStream in = p.getOutputStream()) {
        in.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      boolean finished = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      String output = Files.readString(log, StandardCharsets.UTF_8);
      if (!finished) {
        throw new AssertionError(
            "openssl s_client did not finish within " + TIMEOUT_SECONDS + " s:\n" + output);
      }
      Matcher m = SUMMARY.matcher(output);
      if (!m.find()) {
        throw new AssertionError("no New/Reused line from openssl s_client " + cmd + ":\n" + output);
      }
      if (sessOut != null && (!Files.exists(sessOut) || Files.size(sessOut) == 0)) {
        throw new AssertionError("openssl s_client wrote no session to " + sessOut + ":\n" + output);
      }
      return new Result(m.group(1), m.group(2), output);
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
      Files.deleteIfExists(log);
    }
  }
}
