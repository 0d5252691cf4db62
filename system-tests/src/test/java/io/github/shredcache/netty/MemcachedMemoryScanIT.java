package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.memcached.RawMemcachedClient;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.ClientAuth;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory scans, short version.
 *
 * <p>{@link #noMasterSecretInMemcachedMemory}: real TLS 1.2 sessions (openssl s_client, master
 * secrets from its keylog) through two nodes on one memcached; then memcached's whole process memory
 * is scanned for those 48-byte master secrets after the handshakes, after invalidation (deletes)
 * and after expiry: the target, asserted, is zero. A positive control plants one secret raw, as
 * mod_socache_memcache stores it, and shows the scanner finds it (and what stays after delete).
 * Then, reported and not asserted ({@code -Dshredcache.memscan.nodeJvm=true}): a heap dump of this
 * JVM (the nodes' process) after expiry, and its whole process memory, scanned for the same
 * secrets. Copies there live in buffers we do not own (Bouncy Castle's TLS secrets, JCA, Netty
 * buffers, GC copies); see RELIABILITY.md for the counts and the long version.
 *
 * <p>{@link #erasedEpochKeysAreUnreachable}: the nodes' own keys once their epoch is erased. Two
 * Bouncy Castle nodes and one ticket-mode (OpenSSL) node run in this JVM from one key chain with
 * 2 s epochs; entries are sealed (on A's event loop) and opened (on B's store thread) and a TLS
 * 1.2 ticket is issued and resumed on the ticket node. The test waits until every epoch used has
 * left every window, makes one more session (the control) and takes a heap dump of live objects:
 * everything reachable from a GC root after a full GC, which is what "reachable" means below. The
 * secrets are recomputed from the token text by {@link EpochSecrets}.
 *
 * <p>Asserted on that dump: none of the erased epochs' ratchet states, sealing keys (their bytes,
 * which in a heap dump also match the JDK's AES round keys) or ticket HMAC/AES keys (ratchet-level
 * and per-context) is there, while the control epoch's sealing key and ratchet state are. With a
 * cipher kept per thread instead of {@code SealingKey}'s scrubbed pool, the erased sealing keys
 * were found (4 copies). The installed ticket keys live in BoringSSL's native memory, not in the
 * Java heap, so the dump has no positive control for them; the process scan has.
 *
 * <p>Reported only: the same needles in this JVM's whole process memory (scanned before the dump,
 * whose writer would leave copies of live objects in native buffers), split into the Java heap's
 * address range, which includes free memory holding garbage the collector has not overwritten yet,
 * and the rest: native memory, where BoringSSL keeps the installed ticket keys and where JNI
 * copies are freed without being cleared.
 */
class MemcachedMemoryScanIT {
  private static final int SESSIONS = 6;
  private static final Duration LIFETIME = Duration.ofSeconds(10);
  /** Short epochs so that erasure happens within the test; R = 2, the window is [e-2, e+1]. */
  private static final Duration EPOCH = Duration.ofSeconds(2);
  private static final Duration KEY_LIFETIME = Duration.ofSeconds(4);
  private static final InstantSource CLOCK = Clock.systemUTC();
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
        OpenSslClient.Result full = ReliabilityCluster.probe(a.port(), null, sess);
        lastPutNanos = System.nanoTime();
        secrets.add(ProcessMemoryScan.Needle.fromHex(full.masterSecretHex(), "session " + i));
        ids.add(full.sessionIdHex());
        String key = cluster.storeKey(full.sessionIdHex());
        await("session " + i + " in memcached").atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(10)).pollInSameThread()
            .until(() -> raw.getBytes(key).isPresent());
        OpenSslClient.Result again = ReliabilityCluster.probe(b.port(), sess, null);
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
      // the entries' TTLs run out on memcached's clock: the passing of time is what is tested
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

  @Test
  void erasedEpochKeysAreUnreachable() throws Exception {
    String token = TestKeys.newToken(EPOCH);
    long tokenEpoch = Long.parseLong(token.split(":")[2]);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    TestCertificate ticketCert = TestPki.localhost();
    byte[] ticketContext = ResumptionContext.of(
        new X509Certificate[] {ticketCert.certificate()}, ClientAuth.NONE).digest();
    try (MemcachedProcess memcached = MemcachedProcess.start();
        RawMemcachedClient raw = memcached.raw();
        ReliabilityCluster cluster =
            new ReliabilityCluster(memcached.address(), "erase", KEY_LIFETIME, token);
        KeyRatchet ticketKeys =
            KeyRatchet.fromToken(KeyToken.parse(token, CLOCK), KEY_LIFETIME, CLOCK);
        TicketKeyRotator rotator = TicketKeyRotator.start(
            TicketSslContexts.forServer(ticketCert.privateKey(), ticketCert.certificate()).build(),
            ResumptionContext.of(ticketCert.chain(), ClientAuth.NONE), ticketKeys);
        TlsTestServer<Boolean> tickets =
            TlsTestServer.builder(rotator.sslContext(), TicketKeyRotator::isResumed)
                .eventLoopGroup(group).httpReply("T").start()) {
      ReliabilityCluster.Node a = cluster.startNode();
      ReliabilityCluster.Node b = cluster.startNode();
      int behind = a.keys().epochsBehind();

      // Use the keys: seal on A (its event loop), open on B (its store's thread), and a TLS 1.2
      // ticket made and resumed on T. Note every epoch that sealed or ticketed something.
      SortedSet<Long> used = new TreeSet<>();
      List<ProcessMemoryScan.Needle> masterSecrets = new ArrayList<>();
      int reused = 0;
      for (int i = 0; i < 3; i++) {
        Path sess = dir.resolve("e" + i + ".pem");
        OpenSslClient.Result full = ReliabilityCluster.probe(a.port(), null, sess);
        masterSecrets.add(ProcessMemoryScan.Needle.fromHex(full.masterSecretHex(), "session " + i));
        used.add(sealedEpoch(raw, cluster.storeKey(full.sessionIdHex())));
        reused += ReliabilityCluster.probe(b.port(), sess, null).reused() ? 1 : 0;
      }
      assertThat(reused).as("cross-node resumptions (entries were opened)").isGreaterThan(0);
      Path ticket = dir.resolve("ticket.pem");
      used.add(rotator.installedEpoch());
      String get = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
      OpenSslClient.to(tickets.port()).args("-tls1_2").sessionOut(ticket).send(get).handshake();
      OpenSslClient.Result resumed =
          OpenSslClient.to(tickets.port()).args("-tls1_2").sessionIn(ticket).send(get).run();
      used.add(rotator.installedEpoch());
      assertThat(resumed.reused()).as(resumed.output()).isTrue();

      // Wait until every epoch from the token's to the last one used has left every window.
      long lastUsed = used.last();
      long gone = lastUsed + behind + 1;
      awaitTrue("epoch " + lastUsed + " erased on A, B and T", () ->
          a.keys().currentEpoch() >= gone && b.keys().currentEpoch() >= gone
              && rotator.installedEpoch() >= gone);
      List<EpochSecrets> erased = EpochSecrets.of(token, tokenEpoch, lastUsed, ticketContext);

      // Positive control: a session sealed now. Scan the process first (the heap dumper's own
      // buffers would add copies of live objects to native memory), then dump live objects; keep
      // the result if the control epoch was still held, and its ticket keys installed, at the end.
      Map<String, long[]> counts = null;
      StringBuilder report = null;
      Path hprof = dir.resolve("live.hprof");
      long pid = ProcessHandle.current().pid();
      for (int attempt = 0; attempt < 3 && counts == null; attempt++) {
        OpenSslClient.Result now = ReliabilityCluster.probe(a.port(), null, null);
        long held = sealedEpoch(raw, cluster.storeKey(now.sessionIdHex()));
        long installed = rotator.installedEpoch();
        List<EpochSecrets> live = EpochSecrets.of(token, Math.min(held, installed),
            Math.max(held, installed), ticketContext);
        EpochSecrets control = live.get((int) (held - live.get(0).epoch));
        EpochSecrets controlTickets = live.get((int) (installed - live.get(0).epoch));
        Map<String, List<ProcessMemoryScan.Needle>> rows = new LinkedHashMap<>();
        rows.put("erased ratchet states", pick(erased, s -> s.state));
        rows.put("erased sealing keys", pick(erased, s -> s.sealingKey, s -> s.sealingKeyWords));
        rows.put("erased ticket HMAC+AES keys (ratchet)",
            pick(erased, s -> s.ticketHmacKey, s -> s.ticketAesKey));
        rows.put("erased ticket HMAC+AES keys (installed)",
            pick(erased, s -> s.contextTicketHmacKey, s -> s.contextTicketAesKey));
        rows.put("erased ticket key names (public)",
            pick(erased, s -> s.ticketName, s -> s.contextTicketName));
        rows.put("master secrets of the sessions", masterSecrets);
        rows.put("control: held ratchet state", List.of(control.state));
        rows.put("control: held sealing key", List.of(control.sealingKey, control.sealingKeyWords));
        rows.put("control: installed ticket HMAC+AES keys",
            List.of(controlTickets.contextTicketHmacKey, controlTickets.contextTicketAesKey));
        List<ProcessMemoryScan.Needle> all = new ArrayList<>();
        rows.values().forEach(all::addAll);

        List<long[]> heap = ProcessMemoryScan.javaHeapRanges();
        long[] inHeap = ProcessMemoryScan.scanProcess(pid, all, at -> ProcessMemoryScan.inside(heap, at));
        long[] native_ = ProcessMemoryScan.scanProcess(pid, all, at -> !ProcessMemoryScan.inside(heap, at));
        Files.deleteIfExists(hprof);
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
            .dumpHeap(hprof.toString(), true);
        long[] inDump = ProcessMemoryScan.scanFile(hprof, all);
        Files.deleteIfExists(hprof);
        if (a.keys().currentEpoch() > held + behind
            || rotator.installedEpoch() > installed + behind) {
          continue; // the control epoch left the window during the scans: try again
        }
        counts = new LinkedHashMap<>();
        report = new StringBuilder(String.format(
            "RELIABILITY memscan erasure: token epoch %d, epochs used %s, erased %d..%d (R=%d),"
                + " control: sealing %d, tickets %d%n  %-44s %10s %14s %14s%n", tokenEpoch, used,
            tokenEpoch, lastUsed, behind, held, installed, "needle", "live dump",
            "process: heap", "process: rest"));
        int at = 0;
        for (Map.Entry<String, List<ProcessMemoryScan.Needle>> row : rows.entrySet()) {
          int n = row.getValue().size();
          long[] c = {sum(inDump, at, n), sum(inHeap, at, n), sum(native_, at, n)};
          at += n;
          counts.put(row.getKey(), c);
          report.append(String.format("  %-44s %10d %14d %14d%n", row.getKey(), c[0], c[1], c[2]));
        }
      }
      assertThat(counts).as("a scan within the control epoch's window (3 attempts)").isNotNull();
      System.out.print(report);

      assertThat(counts.get("control: held sealing key")[0])
          .as("the scan finds the held sealing key in the live dump\n" + report).isPositive();
      assertThat(counts.get("control: held ratchet state")[0])
          .as("the scan finds the held ratchet state in the live dump\n" + report).isPositive();
      for (String row : List.of("erased ratchet states", "erased sealing keys",
          "erased ticket HMAC+AES keys (ratchet)",
          "erased ticket HMAC+AES keys (installed)")) {
        assertThat(counts.get(row)[0]).as(row + " in reachable memory\n" + report).isZero();
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      ticketCert.close();
    }
  }

  /** The epoch in the header of the entry stored under {@code key}, once it is there. */
  private static long sealedEpoch(RawMemcachedClient raw, String key) {
    byte[] entry = await("an entry under " + key).atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10)).pollInSameThread()
        .until(() -> raw.getBytes(key), Optional::isPresent).orElseThrow();
    return ByteBuffer.wrap(entry, 1, 8).getLong(); // version(1) | epoch(8) | ...
  }

  private static void awaitTrue(String what, Callable<Boolean> condition) {
    await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(condition);
  }

  @SafeVarargs
  private static List<ProcessMemoryScan.Needle> pick(List<EpochSecrets> epochs,
      Function<EpochSecrets, ProcessMemoryScan.Needle>... parts) {
    List<ProcessMemoryScan.Needle> out = new ArrayList<>();
    for (EpochSecrets e : epochs) {
      for (Function<EpochSecrets, ProcessMemoryScan.Needle> p : parts) {
        out.add(p.apply(e));
      }
    }
    return out;
  }

  private static long sum(long[] counts, int from, int n) {
    long t = 0;
    for (int i = from; i < from + n; i++) {
      t += counts[i];
    }
    return t;
  }

  private static long total(long[] counts) {
    long t = 0;
    for (long c : counts) {
      t += c;
    }
    return t;
  }
}
