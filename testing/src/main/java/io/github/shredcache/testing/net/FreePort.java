package io.github.shredcache.testing.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free TCP ports on the loopback address, for servers a test starts as separate processes (which
 * cannot be handed a bound socket). Prefer binding port 0 where the server is in the test's JVM.
 */
public final class FreePort {
  private FreePort() {}

  /**
   * Returns a port that was free on 127.0.0.1 a moment ago: bound to port 0, read, released.
   * Another process may take it before the caller binds it; a caller that cannot retry should
   * pass port 0 to its server instead. Also a port nothing listens on, for "connection refused"
   * tests.
   *
   * @throws UncheckedIOException if no port can be bound
   */
  public static int loopback() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }
}
