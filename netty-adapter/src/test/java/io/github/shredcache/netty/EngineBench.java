package io.github.shredcache.netty;

import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * In-process handshake loop without sockets: the JDK's client engine against our server engine
 * on one thread, TLS 1.2. Reports handshakes per second and the server engine's CPU time per
 * handshake (thread CPU time around the server's wrap/unwrap calls), which is what bounds a
 * server's handshake rate per core independently of the client and of machine load.
 *
 * <pre>
 * java -cp ... io.github.shredcache.netty.EngineBench full|resume RSA|EC seconds
 * </pre>
 */
public final class EngineBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static long serverCpuNanos;

  private EngineBench() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String alg = args[1];
    int seconds = Integer.parseInt(args[2]);
    TestCertificate cert = TestPki.selfSigned("localhost",
        alg.equals("RSA") ? TestPki.KeyType.RSA_2048 : TestPki.KeyType.EC_P256);
    SessionCache cache = TestKeys.realTimeCache(TestKeys.newToken(Duration.ofHours(1)),
        new InMemorySessionStore(), Duration.ofMillis(50));
    ShredcacheSslContext ssl = ShredcacheSslContextBuilder
        .forServer(cert.certificateFile(), cert.privateKeyFile()).sessionCache(cache).build();
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    // warm-up
    long warmEnd = System.nanoTime() + 3_000_000_000L;
    for (int i = 0; System.nanoTime() < warmEnd; i++) {
      handshake(client, ssl, mode.equals("full") ? "w" + i : "bench");
    }
    serverCpuNanos = 0;
    long n = 0;
    Resumption last = null;
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      last = handshake(client, ssl, mode.equals("full") ? "h" + n : "bench");
      n++;
    }
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("%s %s: %d handshakes in %.1f s = %.0f/s (client+server, one thread);"
        + " server engine CPU %.0f us/handshake = %.0f/s per core; last %s%n",
        mode, alg, n, secs, n / secs, serverCpuNanos / 1e3 / n, n * 1e9 / serverCpuNanos, last);
    cache.close();
    cert.close();
  }

  static Resumption handshake(SSLContext clientCtx, ShredcacheSslContext ssl, String peer)
      throws Exception {
    SSLEngine c = clientCtx.createSSLEngine(peer, 443);
    c.setUseClientMode(true);
    c.setEnabledProtocols(new String[] {"TLSv1.2"});
    SSLEngine s = ssl.newEngine(ByteBufAllocator.DEFAULT);
    ByteBuffer empty = ByteBuffer.allocate(0);
    ByteBuffer c2s = ByteBuffer.allocate(32768);
    ByteBuffer s2c = ByteBuffer.allocate(32768);
    ByteBuffer app = ByteBuffer.allocate(32768);
    c.beginHandshake();
    for (int i = 0; i < 100; i++) {
      HandshakeStatus ch = c.getHandshakeStatus();
      while (ch == HandshakeStatus.NEED_TASK) {
        c.getDelegatedTask().run();
        ch = c.getHandshakeStatus();
      }
      if (ch == HandshakeStatus.NEED_WRAP) {
        c.wrap(empty, c2s);
      } else if (ch == HandshakeStatus.NEED_UNWRAP) {
        s2c.flip();
        c.unwrap(s2c, app);
        s2c.compact();
      }
      long t0 = THREADS.getCurrentThreadCpuTime();
      c2s.flip();
      while (c2s.hasRemaining()) {
        int before = c2s.remaining();
        s.unwrap(c2s, app);
        if (c2s.remaining() == before) {
          break;
        }
      }
      c2s.compact();
      while (s.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
        s.wrap(empty, s2c);
      }
      serverCpuNanos += THREADS.getCurrentThreadCpuTime() - t0;
      boolean cDone = c.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
          && s2c.position() == 0;
      if (cDone && s.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
          && c2s.position() == 0 && i > 0) {
        return ShredcacheSslContext.resumption(s);
      }
    }
    throw new IllegalStateException("handshake did not finish");
  }
}
