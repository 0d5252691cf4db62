package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.tls.OpenSslClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults, short version: real openssl TLS 1.2 clients, full handshakes on node A and resumptions
 * on node B, while memcached is killed and then restarted (empty). Every connection must succeed
 * (a full handshake instead of a resumption is fine); resumption comes back after the restart.
 * The long version with the demo cluster and more faults is {@code scripts/faults.sh}.
 */
class MemcachedRestartUnderLoadIT {
  private static final int ROUNDS_PER_PHASE = 3;
  @TempDir Path dir;

  @Test
  void killAndRestartOfMemcachedFailsNoConnection() throws Exception {
    try (MemcachedProcess memcached = MemcachedProcess.start();
        ReliabilityCluster cluster =
            new ReliabilityCluster(memcached.address(), "faults", Duration.ofMinutes(5))) {
      ReliabilityCluster.Node a = cluster.startNode();
      ReliabilityCluster.Node b = cluster.startNode();

      int[] before = rounds(memcached, cluster, a, b, "before");
      memcached.kill();
      int[] during = rounds(memcached, cluster, a, b, "during");
      memcached.restart();
      int[] after = null;
      long restartedAt = System.nanoTime();
      double recoverySeconds = -1;
      for (int attempt = 0; attempt < 5; attempt++) { // the client reconnects in the background
        after = rounds(memcached, cluster, a, b, "after");
        if (after[1] > 0) {
          recoverySeconds = (System.nanoTime() - restartedAt) / 1e9;
          break;
        }
      }
      System.out.printf("RELIABILITY faults-short: memcached kill+restart; connections per phase %d;"
              + " resumed before=%d during=%d after=%d; recovery %.1f s%n",
          2 * ROUNDS_PER_PHASE, before[1], during[1], after[1], recoverySeconds);

      assertThat(before[1]).as("cross-node resumption works before the fault").isGreaterThan(0);
      assertThat(during[1]).as("no store: no cross-node resumption").isZero();
      assertThat(after[1]).as("resumption back after the restart").isGreaterThan(0);
    }
  }

  /**
   * Waits until memcached holds {@code key}, at most 1 s: while memcached is down the write fails
   * and the round goes on without it.
   */
  private static void awaitStored(MemcachedProcess memcached, String key) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (System.nanoTime() < deadline) {
      try (io.github.shredcache.testing.memcached.RawMemcachedClient raw = memcached.raw()) {
        if (raw.getBytes(key).isPresent()) {
          return;
        }
      } catch (RuntimeException down) {
        // memcached is down in the "during" phase: nothing will land
      }
      TimeUnit.MILLISECONDS.sleep(10); // poll interval
    }
  }

  /**
   * {@link #ROUNDS_PER_PHASE} rounds of (full handshake on A, resumption attempt on B); a failed
   * TLS connection throws from {@link ReliabilityCluster#probe}. Returns {connections, resumed}.
   */
  private int[] rounds(MemcachedProcess memcached, ReliabilityCluster cluster,
      ReliabilityCluster.Node a, ReliabilityCluster.Node b, String phase) throws Exception {
    int resumed = 0;
    for (int i = 0; i < ROUNDS_PER_PHASE; i++) {
      Path sess = dir.resolve(phase + i + ".pem");
      OpenSslClient.Result made = ReliabilityCluster.probe(a.port(), null, sess);
      assertThat(a.server().nextHandshake().success()).isTrue();
      awaitStored(memcached, cluster.storeKey(made.sessionIdHex())); // A writes asynchronously
      OpenSslClient.Result r = ReliabilityCluster.probe(b.port(), sess, null);
      assertThat(b.server().nextHandshake().success()).as("%s: TLS connection failed", phase).isTrue();
      resumed += r.reused() ? 1 : 0;
    }
    return new int[] {2 * ROUNDS_PER_PHASE, resumed};
  }
}
