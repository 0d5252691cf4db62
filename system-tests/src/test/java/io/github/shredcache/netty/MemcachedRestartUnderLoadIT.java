package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.memcached.RawMemcachedClient;
import io.github.shredcache.testing.tls.OpenSslClient;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.core.ConditionTimeoutException;
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
      long restartedAt = System.nanoTime();
      // the client reconnects in the background: phases until one resumes across nodes again
      int[] after = await("resumption back after the restart").atMost(Duration.ofSeconds(60))
          .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).pollInSameThread()
          .until(() -> rounds(memcached, cluster, a, b, "after"), r -> r[1] > 0);
      double recoverySeconds = (System.nanoTime() - restartedAt) / 1e9;
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
  private static void awaitStored(MemcachedProcess memcached, String key) {
    try {
      await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).pollInSameThread()
          .ignoreExceptions() // memcached is down in the "during" phase: nothing will land
          .until(() -> {
            try (RawMemcachedClient raw = memcached.raw()) {
              return raw.getBytes(key).isPresent();
            }
          });
    } catch (ConditionTimeoutException notStored) {
      // the round goes on without it: B's lookup is a miss
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
