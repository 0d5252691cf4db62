package io.github.shredcache.netty;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
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
  private static final Pattern HINT =
      Pattern.compile("TLS session ticket lifetime hint: ([0-9]+) \\(seconds\\)");
  private static final String PEM_BEGIN = "-----BEGIN SSL SESSION PARAMETERS-----";
  private static final String PEM_END = "-----END SSL SESSION PARAMETERS-----";
  /** The explicit [9] tag of OpenSSL's SSL_SESSION ASN.1: the ticket lifetime hint. */
  private static final int HINT_TAG = 0xa9;
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

  /**
   * Connects with {@code version}, sends nothing and keeps the connection open until a session
   * (for TLS 1.3: a NewSessionTicket) has been written to {@code sessOut} or {@code timeout} passed.
   *
   * @return whether the session arrived
   */
  static boolean ticketWithoutSending(int port, String version, Path sessOut, Duration timeout)
      throws IOException, InterruptedException {
    List<String> cmd = List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, version,
        "-ign_eof", "-servername", "localhost", "-sess_out", sessOut.toString());
    Files.deleteIfExists(sessOut);
    Path log = Files.createTempFile("s_client", ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try (OutputStream stdin = p.getOutputStream()) { // open and silent until the end
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline && p.isAlive()) {
        if (Files.exists(sessOut) && Files.size(sessOut) > 0) {
          return true;
        }
        Thread.sleep(20);
      }
      return Files.exists(sessOut) && Files.size(sessOut) > 0;
    } finally {
      p.destroyForcibly();
      p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Files.deleteIfExists(log);
    }
  }

  /**
   * Returns the ticket lifetime hint of the session in {@code session}, in seconds, as {@code
   * openssl sess_id -text} prints it.
   *
   * @throws AssertionError if the session has no hint (no ticket)
   */
  static long lifetimeHintSeconds(Path session) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("openssl", "sess_id", "-in", session.toString(), "-noout",
        "-text").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("openssl sess_id did not finish");
    }
    Matcher m = HINT.matcher(out);
    if (!m.find()) {
      throw new AssertionError("no ticket lifetime hint in " + session + ":\n" + out);
    }
    return Long.parseLong(m.group(1));
  }

  /**
   * Writes to {@code out} the session of {@code session} with its ticket lifetime hint raised to
   * 127 s if it was shorter, and returns {@code out}. OpenSSL's client does not offer a TLS 1.3
   * ticket older than its hint; with the raised hint it presents an expired ticket, as a client
   * that ignores the hint (or replays a recorded ticket) would, so the server must refuse it on its
   * own.
   */
  static Path ignoringLifetimeHint(Path session, Path out) throws IOException {
    String pem = Files.readString(session, StandardCharsets.US_ASCII);
    int begin = pem.indexOf(PEM_BEGIN);
    int end = pem.indexOf(PEM_END);
    if (begin < 0 || end < begin) {
      throw new AssertionError("not an OpenSSL session file: " + session);
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + PEM_BEGIN.length(), end));
    // SEQUENCE { fields... }: walk the top-level fields to [9] { INTEGER hint }.
    int i = 1 + lengthOfLength(der, 1);
    boolean found = false;
    while (i < der.length) {
      int tag = der[i] & 0xff;
      int contentLength = length(der, i + 1);
      int content = i + 1 + lengthOfLength(der, i + 1);
      if (tag == HINT_TAG) {
        found = true;
        // INTEGER of one byte: the hint is below 128 s; raise it in place.
        if (der[content] == 0x02 && der[content + 1] == 1) {
          der[content + 2] = 0x7f;
        }
      }
      i = content + contentLength;
    }
    if (!found) {
      throw new AssertionError("the session in " + session + " has no ticket lifetime hint");
    }
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    Files.writeString(out, PEM_BEGIN + "\n" + body + "\n" + PEM_END + "\n",
        StandardCharsets.US_ASCII);
    return out;
  }

  /** The number of bytes of the DER length at {@code at} (1 for short form). */
  private static int lengthOfLength(byte[] der, int at) {
    int first = der[at] & 0xff;
    return first < 0x80 ? 1 : 1 + (first & 0x7f);
  }

  /** The DER length at {@code at}. */
  private static int length(byte[] der, int at) {
    int first = der[at] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int n = 0;
    for (int k = 1; k <= (first & 0x7f); k++) {
      n = (n << 8) | (der[at + k] & 0xff);
    }
    return n;
  }
}
