package io.github.shredcache.netty;

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

/** A tiny round-robin TCP balancer on 127.0.0.1: one address, connections alternate backends. */
final class Balancer implements AutoCloseable {
  private final ServerSocket server;
  private final List<Integer> backends;
  private final AtomicInteger next = new AtomicInteger();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "balancer");
    t.setDaemon(true);
    return t;
  });

  Balancer(List<Integer> backendPorts) throws IOException {
    this.backends = List.copyOf(backendPorts);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        int backend = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), backend);
        threads.execute(() -> pipe(client, upstream));
        threads.execute(() -> pipe(upstream, client));
      } catch (IOException e) {
        return;
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

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
