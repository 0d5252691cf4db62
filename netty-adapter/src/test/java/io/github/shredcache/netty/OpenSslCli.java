package io.github.shredcache.netty;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the {@code openssl} CLI against 127.0.0.1 with a timeout; returns its output. */
final class OpenSslCli {
  private OpenSslCli() {}

  static boolean available() {
    return new File("/usr/bin/openssl").canExecute();
  }

  static String sClient(int port, String... extra) throws IOException, InterruptedException {
    return sClientNamed(port, "localhost", extra);
  }

  /** As {@link #sClient}, sending {@code serverName} as SNI ({@code null}: no SNI). */
  static String sClientNamed(int port, String serverName, String... extra)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect",
        "127.0.0.1:" + port));
    cmd.addAll(serverName == null ? List.of("-noservername") : List.of("-servername", serverName));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close(); // EOF on stdin: s_client closes after the handshake
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("openssl s_client did not finish within 20 s");
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
