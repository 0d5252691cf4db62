package io.github.shredcache.testing.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A round-robin TCP balancer on 127.0.0.1 for tests: one address whose connections alternate
 * between backends on 127.0.0.1, bytes relayed unchanged (TLS passes through), so a client's next
 * connection lands on another node than its last one.
 *
 * <pre>{@code
 * try (Balancer lb = Balancer.start(List.of(nodeA.port(), nodeB.port()))) {
 *   client.connect("127.0.0.1", lb.port()); // node A
 *   client.connect("127.0.0.1", lb.port()); // node B
 * }
 * }</pre>
 *
 * <p>Blocking sockets, one daemon thread per direction of each connection; a backend that refuses
 * the connection closes the client's. Thread-safe; {@link #close()} stops accepting and ends the
 * relays.
 */
public final class Balancer implements AutoCloseable {
  private final ServerSocket server;
  private final List<Integer> backends;
  private final AtomicInteger next = new AtomicInteger();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-balancer");
    t.setDaemon(true);
    return t;
  });

  private Balancer(List<Integer> backendPorts) throws IOException {
    if (backendPorts.isEmpty()) {
      throw new IllegalArgumentException("a balancer needs at least one backend port");
    }
    this.backends = List.copyOf(backendPorts);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  /** Starts a balancer on a free loopback port in front of the backends on these ports. */
  public static Balancer start(List<Integer> backendPorts) throws IOException {
    return new Balancer(backendPorts);
  }

  /** Returns the port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      int backend = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
      try {
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), backend);
        threads.execute(() -> pipe(client, upstream));
        threads.execute(() -> pipe(upstream, client));
      } catch (IOException refused) {
        closeQuietly(client);
      }
    }
  }

  private static void pipe(Socket from, Socket to) {
    byte[] buf = new byte[16384];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException ignored) {
      // peer closed
    } finally {
      try {
        to.shutdownOutput();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
