package io.github.shredcache.netty;

import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionStore;
import io.github.shredcache.memcached.MemcachedSessionStore;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@code nodes} echo servers sharing one in-memory store (or memcached with
 * {@code -Dmemcached=host:port}, one client per node), for manual runs and benchmarks with
 * {@code openssl s_time} and {@link BenchClient}. Prints handshake counts every 5 s.
 *
 * <pre>
 * java -cp ... io.github.shredcache.netty.BenchServer RSA|EC nodes
 * </pre>
 * Prints {@code node i port P} per node, then serves until killed.
 */
public final class BenchServer {
  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    String alg = args.length > 0 ? args[0] : "EC";
    int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    TestCertificate cert = TestPki.selfSigned("localhost",
        alg.equals("RSA") ? TestPki.KeyType.RSA_2048 : TestPki.KeyType.EC_P256);
    String memcached = System.getProperty("memcached");
    SessionStore inMemory = new InMemorySessionStore();
    String token = TestKeys.newToken(Duration.ofHours(1));
    List<TlsTestServer<Resumption>> servers = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      SessionStore store = memcached == null ? inMemory
          : MemcachedSessionStore.builder().servers(memcached).build();
      SessionCache cache = TestKeys.realTimeCache(token, store, Duration.ofMillis(50));
      ShredcacheSslContext ssl = ShredcacheSslContextBuilder
          .forServer(cert.certificateFile(), cert.privateKeyFile()).sessionCache(cache).build();
      TlsTestServer<Resumption> s = TlsTestServer.builder(ssl, ShredcacheSslContext::resumption)
          .recordHandshakes(false).start();
      servers.add(s);
      System.out.println("node " + i + " port " + s.port());
    }
    System.out.flush();
    while (true) {
      Thread.sleep(5000); // a manual benchmark's report interval, not a test's synchronization
      StringBuilder line = new StringBuilder("counts");
      for (int i = 0; i < servers.size(); i++) {
        line.append(" node").append(i).append(servers.get(i).successCounts());
      }
      System.out.println(line);
    }
  }
}
