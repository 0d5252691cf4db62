package io.github.shredcache.testing.memcached;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of a real memcached (binary protocol) that can replace replies to
 * {@code get} with a hostile header: one announcing a body of {@code n} bytes that never comes.
 * It plays the attacker on the link (or a compromised memcached) of the threat model.
 *
 * <pre>{@code
 * try (HostileMemcachedProxy proxy = HostileMemcachedProxy.start(memcached.port())) {
 *   proxy.poisonNextGets(1, 0x7FFF_FFFFL);  // the next get reply announces ~2 GiB
 * }
 * }</pre>
 *
 * <p>Threads: one acceptor and two pumps per connection, all daemons, all ended by {@link
 * #close()}. Every socket is on 127.0.0.1.
 */
public final class HostileMemcachedProxy implements AutoCloseable {
  private static final int HEADER = 24;
  private static final byte OPCODE_GET = 0x00;

  private final ServerSocket server;
  private final int upstreamPort;
  private final AtomicInteger poisonLeft = new AtomicInteger();
  private final AtomicLong poisonLength = new AtomicLong();
  private final AtomicInteger poisoned = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private HostileMemcachedProxy(ServerSocket server, int upstreamPort) {
    this.server = server;
    this.upstreamPort = upstreamPort;
  }

  /** Starts a proxy on a free loopback port forwarding to memcached on {@code upstreamPort}. */
  public static HostileMemcachedProxy start(int upstreamPort) throws IOException {
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    HostileMemcachedProxy p = new HostileMemcachedProxy(s, upstreamPort);
    Thread t = new Thread(p::acceptLoop, "hostile-proxy-accept");
    t.setDaemon(true);
    t.start();
    return p;
  }

  /** {@code 127.0.0.1:port} of the proxy. */
  public String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** The next {@code count} get replies announce a {@code bodyLength}-byte body instead. */
  public void poisonNextGets(int count, long bodyLength) {
    poisonLength.set(bodyLength);
    poisonLeft.set(count);
  }

  /** How many replies were replaced so far. */
  public int poisoned() {
    return poisoned.get();
  }

  /** How many client connections were accepted so far (a reconnect adds one). */
  public int connections() {
    return connections.get();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 2000);
        sockets.add(client);
        sockets.add(upstream);
        connections.incrementAndGet();
        pump("hostile-proxy-up", client.getInputStream(), upstream.getOutputStream(), client, upstream);
        Thread down = new Thread(() -> replies(upstream, client), "hostile-proxy-down");
        down.setDaemon(true);
        down.start();
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pump(String name, InputStream in, OutputStream out, Socket a, Socket b) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // either side closed
      } finally {
        closeQuietly(a);
        closeQuietly(b);
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  /** Forwards server replies frame by frame, replacing armed get replies. */
  private void replies(Socket upstream, Socket client) {
    try {
      InputStream in = upstream.getInputStream();
      OutputStream out = client.getOutputStream();
      byte[] header = new byte[HEADER];
      while (true) {
        if (!readFully(in, header, HEADER)) {
          return;
        }
        int body = ByteBuffer.wrap(header, 8, 4).getInt();
        byte[] payload = new byte[body];
        if (!readFully(in, payload, body)) {
          return;
        }
        if (header[1] == OPCODE_GET && poisonLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          byte[] hostile = header.clone();
          ByteBuffer.wrap(hostile, 8, 4).putInt((int) poisonLength.get());
          poisoned.incrementAndGet();
          out.write(hostile);
          out.flush(); // the announced body never comes: the client must not wait for it
          continue;
        }
        out.write(header);
        out.write(payload);
        out.flush();
      }
    } catch (IOException ignored) {
      // either side closed
    } finally {
      closeQuietly(upstream);
      closeQuietly(client);
    }
  }

  private static boolean readFully(InputStream in, byte[] buf, int n) throws IOException {
    int off = 0;
    while (off < n) {
      int r = in.read(buf, off, n - off);
      if (r < 0) {
        return false;
      }
      off += r;
    }
    return true;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
