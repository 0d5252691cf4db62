package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.memcached.testing.MemcachedProcess;
import io.github.shredcache.memcached.testing.RawMemcachedClient;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory scans, short version. Real TLS 1.2 sessions (openssl s_client, master secrets from its
 * keylog) through two nodes on one memcached; then memcached's whole process memory is scanned
 * for those 48-byte master secrets after the handshakes, after invalidation (deletes) and after
 * expiry: the target, asserted, is zero. A positive control plants one secret raw, as
 * mod_socache_memcache stores it, and shows the scanner finds it (and what stays after delete).
 *
 * <p>Then, reported and not asserted: a heap dump of this JVM (the nodes' process) after
 * expiry, and its whole process memory, scanned for the same secrets. Copies there live in
 * buffers we do not own (Bouncy Castle's TLS secrets, JCA, Netty buffers, GC copies); see
 * RELIABILITY.md for the counts and the long version.
 */
class MemcachedMemoryScanIT {
  private static final int SESSIONS = 6;
  private static final Duration LIFETIME = Duration.ofSeconds(10);
  @TempDir Path dir;

  @Test
  void noMasterSecretInMemcachedMemory() throws Exception {
    try (MemcachedProcess memcached = MemcachedProcess.start();
        RawMemcachedClient raw = memcached.raw();
        ReliabilityCluster cluster =
            new ReliabilityCluster(memcached.address(), "scan", LIFETIME)) {
      ReliabilityCluster.Node a = cluster.startNode();
      ReliabilityCluster.Node b = cluster.startNode();
      List<ProcessMemoryScan.Needle> secrets = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      int reused = 0;
      long lastPutNanos = 0;
      for (int i = 0; i < SESSIONS; i++) {
        Path sess = dir.resolve("s" + i + ".pem");
        OpenSslProbe.Result full = OpenSslProbe.connect(a.port(), null, sess, dir);
        lastPutNanos = System.nanoTime();
        secrets.add(ProcessMemoryScan.Needle.fromHex(full.masterSecretHex(), "session " + i));
        ids.add(full.sessionIdHex());
        String key = cluster.storeKey(full.sessionIdHex());
        for (int w = 0; w < 500 && raw.getBytes(key).isEmpty(); w++) {
          Thread.sleep(10);
        }
        OpenSslProbe.Result again = OpenSslProbe.connect(b.port(), sess, null, dir);
        reused += again.reused() ? 1 : 0;
      }
      assertThat(reused).as("cross-node resumptions (the store path was used)").isGreaterThan(0);

      long afterHandshakes = total(ProcessMemoryScan.scanProcess(memcached.pid(), secrets));

      // Positive control: one secret stored raw (as the incumbent does) is found; then deleted.
      byte[] incumbent = new byte[48];
      new SecureRandom().nextBytes(incumbent);
      ProcessMemoryScan.Needle control = ProcessMemoryScan.Needle.fromRaw(incumbent, "raw control");
      raw.set("incumbent:control", incumbent, 0, 300);
      Arrays.fill(incumbent, (byte) 0);
      long controlStored = ProcessMemoryScan.scanProcess(memcached.pid(), List.of(control))[0];
      raw.delete("incumbent:control");
      long controlAfterDelete = ProcessMemoryScan.scanProcess(memcached.pid(), List.of(control))[0];

      for (int i = 0; i < SESSIONS / 2; i++) {
        a.cache().invalidate(SessionId.of(HexFormat.of().parseHex(ids.get(i))))
            .get(5, TimeUnit.SECONDS);
      }
      long afterDeletes = total(ProcessMemoryScan.scanProcess(memcached.pid(), secrets));

      long expiredAt = lastPutNanos + LIFETIME.plusSeconds(1).toNanos();
      Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(expiredAt - System.nanoTime())));
      for (String id : ids) {
        raw.getBytes(cluster.storeKey(id)); // memcached reclaims expired items lazily on access
      }
      long afterExpiry = total(ProcessMemoryScan.scanProcess(memcached.pid(), secrets));

      // Reported only (long version, -Dshredcache.memscan.nodeJvm=true): this JVM ran both nodes.
      // Dump its heap (all objects, live or not) and scan the dump and the whole process memory.
      long[] inDump = new long[0];
      long[] inProcess = new long[0];
      if (Boolean.getBoolean("shredcache.memscan.nodeJvm")) {
        Path hprof = dir.resolve("node.hprof");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
            .dumpHeap(hprof.toString(), false);
        inDump = ProcessMemoryScan.scanFile(hprof, secrets);
        inProcess = ProcessMemoryScan.scanProcess(ProcessHandle.current().pid(), secrets);
        Files.deleteIfExists(hprof);
      }

      System.out.printf("RELIABILITY memscan: sessions=%d crossNodeReused=%d memcachedPid=%d%n"
              + "  memcached: afterHandshakes=%d afterDeletes=%d afterExpiry=%d%n"
              + "  rawControl: stored=%d afterDelete=%d%n"
              + "  nodeJvm (after expiry): heapDump=%s processMemory=%s%n",
          SESSIONS, reused, memcached.pid(), afterHandshakes, afterDeletes, afterExpiry,
          controlStored, controlAfterDelete, Arrays.toString(inDump), Arrays.toString(inProcess));

      assertThat(controlStored).as("the scanner finds a raw secret").isGreaterThanOrEqualTo(1);
      assertThat(afterHandshakes).as("master secrets in memcached memory after handshakes").isZero();
      assertThat(afterDeletes).as("... after deletes").isZero();
      assertThat(afterExpiry).as("... after expiry").isZero();
    }
  }

  private static long total(long[] counts) {
    long t = 0;
    for (long c : counts) {
      t += c;
    }
    return t;
  }
}
