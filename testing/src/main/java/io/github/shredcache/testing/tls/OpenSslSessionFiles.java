package io.github.shredcache.testing.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and forges the session files {@code openssl s_client -sess_out} writes (PEM {@code SSL
 * SESSION PARAMETERS}, OpenSSL's DER {@code SSL_SESSION}), to play a client that lies: one that
 * offers a session ID with a master secret it chose, or a ticket past its lifetime hint.
 */
public final class OpenSslSessionFiles {
  private static final String PEM_BEGIN = "-----BEGIN SSL SESSION PARAMETERS-----";
  private static final String PEM_END = "-----END SSL SESSION PARAMETERS-----";
  private static final Pattern HINT =
      Pattern.compile("TLS session ticket lifetime hint: ([0-9]+) \\(seconds\\)");
  /** The explicit [9] tag of OpenSSL's SSL_SESSION ASN.1: the ticket lifetime hint. */
  private static final int HINT_TAG = 0xa9;

  private OpenSslSessionFiles() {}

  /**
   * Writes to {@code out} a copy of the session in {@code in} whose master key is {@code chosen}
   * instead of {@code realHex} (as {@link OpenSslClient.Result#masterSecretHex()} gives it): the
   * client will offer the same session ID with a secret the attacker chose. Returns {@code out}.
   */
  public static Path withMasterKey(Path in, String realHex, byte[] chosen, Path out)
      throws IOException {
    byte[] der = readDer(in);
    byte[] real = HexFormat.of().parseHex(realHex);
    int at = indexOf(der, real);
    if (at < 0 || chosen.length != real.length) {
      throw new AssertionError("master key not found in the session file " + in);
    }
    System.arraycopy(chosen, 0, der, at, chosen.length);
    return writeDer(der, out);
  }

  /**
   * Returns the ticket lifetime hint of the session in {@code session}, in seconds, as {@code
   * openssl sess_id -text} prints it.
   *
   * @throws AssertionError if the session has no hint (no ticket)
   */
  public static long lifetimeHintSeconds(Path session) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("openssl", "sess_id", "-in", session.toString(), "-noout",
        "-text").redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("openssl sess_id did not finish");
      }
      Matcher m = HINT.matcher(out);
      if (!m.find()) {
        throw new AssertionError("no ticket lifetime hint in " + session + ":\n" + out);
      }
      return Long.parseLong(m.group(1));
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * Writes to {@code out} the session of {@code session} with its ticket lifetime hint raised to
   * 127 s if it was shorter, and returns {@code out}. OpenSSL's client does not offer a TLS 1.3
   * ticket older than its hint; with the raised hint it presents an expired ticket, as a client
   * that ignores the hint (or replays a recorded ticket) would, so the server must refuse it on its
   * own.
   */
  public static Path ignoringLifetimeHint(Path session, Path out) throws IOException {
    byte[] der = readDer(session);
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
    return writeDer(der, out);
  }

  private static byte[] readDer(Path session) throws IOException {
    String pem = Files.readString(session, StandardCharsets.US_ASCII);
    int begin = pem.indexOf(PEM_BEGIN);
    int end = pem.indexOf(PEM_END);
    if (begin < 0 || end < begin) {
      throw new AssertionError("not an OpenSSL session file: " + session);
    }
    return Base64.getMimeDecoder().decode(pem.substring(begin + PEM_BEGIN.length(), end));
  }

  private static Path writeDer(byte[] der, Path out) throws IOException {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    Files.writeString(out, PEM_BEGIN + "\n" + body + "\n" + PEM_END + "\n",
        StandardCharsets.US_ASCII);
    return out;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
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
