package io.github.shredcache.netty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code openssl s_client} TLS 1.2 connection to 127.0.0.1 (stdin closed at once), with the
 * session written/read ({@code -sess_out}/{@code -sess_in}) and the master secret taken from
 * {@code -keylogfile}: the client's view of each session for the reliability tests.
 */
final class OpenSslProbe {
  static final String CIPHER = "ECDHE-ECDSA-AES128-GCM-SHA256"; // 0xC02B
  static final int CIPHER_ID = 0xC02B;
  private static final Pattern SUMMARY = Pattern.compile("^(New|Reused), (TLSv1\\.[0-9])", Pattern.MULTILINE);
  private static final Pattern SESSION_ID = Pattern.compile("Session-ID: ([0-9A-F]*)");
  private static final Pattern KEYLOG = Pattern.compile("^CLIENT_RANDOM [0-9a-fA-F]{64} ([0-9a-fA-F]{96})$", Pattern.MULTILINE);
  private static final String PEM_BEGIN = "-----BEGIN SSL SESSION PARAMETERS-----";
  private static final String PEM_END = "-----END SSL SESSION PARAMETERS-----";

  /** What one connection did. {@code masterSecretHex} is the client's (hex, from the keylog). */
  record Result(boolean reused, String sessionIdHex, String masterSecretHex, String output) {}

  private OpenSslProbe() {}

  static Result connect(int port, Path sessIn, Path sessOut, Path dir) throws IOException, InterruptedException {
    Path keylog = Files.createTempFile(dir, "keylog", ".txt");
    Path log = Files.createTempFile(dir, "s_client", ".log");
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
        "-tls1_2", "-cipher", CIPHER, "-servername", "localhost", "-keylogfile", keylog.toString()));
    if (sessIn != null) {
      cmd.addAll(List.of("-sess_in", sessIn.toString()));
    }
    if (sessOut != null) {
      cmd.addAll(List.of("-sess_out", sessOut.toString()));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      p.getOutputStream().close();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        throw new AssertionError("openssl s_client did not finish within 20 s: " + Files.readString(log));
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      Matcher s = SUMMARY.matcher(out);
      if (!s.find()) {
        throw new AssertionError("no New/Reused line (handshake failed?) from " + cmd + ":\n" + out);
      }
      Matcher id = SESSION_ID.matcher(out);
      Matcher k = KEYLOG.matcher(Files.readString(keylog, StandardCharsets.US_ASCII));
      return new Result("Reused".equals(s.group(1)), id.find() ? id.group(1) : "",
          k.find() ? k.group(1).toLowerCase() : null, out);
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
      Files.deleteIfExists(keylog);
      Files.deleteIfExists(log);
    }
  }

  /**
   * Writes a copy of the session file {@code in} whose master key is {@code chosen} instead of
   * {@code realHex}: the client will offer the same session ID with a secret the attacker chose.
   */
  static Path withMasterKey(Path in, String realHex, byte[] chosen, Path out) throws IOException {
    String pem = Files.readString(in, StandardCharsets.US_ASCII);
    String b64 = pem.substring(pem.indexOf(PEM_BEGIN) + PEM_BEGIN.length(), pem.indexOf(PEM_END))
        .replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(b64);
    byte[] real = java.util.HexFormat.of().parseHex(realHex);
    int at = indexOf(der, real);
    if (at < 0 || chosen.length != real.length) {
      throw new AssertionError("master key not found in the session file");
    }
    System.arraycopy(chosen, 0, der, at, chosen.length);
    Files.writeString(out, PEM_BEGIN + "\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(der) + "\n" + PEM_END + "\n", StandardCharsets.US_ASCII);
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
}
