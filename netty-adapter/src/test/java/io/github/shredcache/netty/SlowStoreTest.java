package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionStore;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.net.Balancer;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.JdkTlsClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A store that answers after 200 ms at the earliest (and, so that a loaded CI machine cannot make
 * the test flaky, not before the test releases it): the prefetch must not hold the event loop, and
 * the slow connection goes on with a full handshake after the 50 ms prefetch timeout, without
 * waiting for the store.
 */
class SlowStoreTest {
  /**
   * Delays every get by a fixed time on a scheduler, and further until {@link #release()};
   * records when the first get completed.
   */
  static final class DelayedStore implements SessionStore {
    final SessionStore delegate;
    final long delayMillis;
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final AtomicInteger getsStarted = new AtomicInteger();
    final AtomicLong firstGetCompletedNanos = new AtomicLong();
    final CompletableFuture<Void> released = new CompletableFuture<>();

    void release() {
      released.complete(null);
    }

    DelayedStore(SessionStore delegate, long delayMillis) {
      this.delegate = delegate;
      this.delayMillis = delayMillis;
    }

    @Override
    public CompletableFuture<Optional<byte[]>> get(String key) {
      getsStarted.incrementAndGet();
      CompletableFuture<Optional<byte[]>> out = new CompletableFuture<>();
      delegate.get(key).whenComplete((v, e) -> scheduler.schedule(
          () -> released.orTimeout(10, TimeUnit.SECONDS).whenComplete((x, y) -> {
            firstGetCompletedNanos.compareAndSet(0, System.nanoTime());
            if (e != null) {
              out.completeExceptionally(e);
            } else {
              out.complete(v);
            }
          }), delayMillis, TimeUnit.MILLISECONDS));
      return out;
    }

    @Override
    public CompletableFuture<Void> set(String key, byte[] value, Duration ttl) {
      return delegate.set(key, value, ttl);
    }

    @Override
    public CompletableFuture<Boolean> delete(String key) {
      return delegate.delete(key);
    }

    @Override
    public void close() {
      scheduler.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(TlsTestServer.Pipeline.class)
  void otherHandshakesProceedAndTheSlowOneFallsBackToFull(TlsTestServer.Pipeline tls) throws Exception {
    TestCertificate cert = TestPki.localhost();
    InMemorySessionStore shared = new InMemorySessionStore();
    DelayedStore slow = new DelayedStore(shared, 200);
    String token = TestKeys.newToken(Duration.ofHours(1));
    try (SessionCache cacheA = TestKeys.realTimeCache(token, shared, Duration.ofSeconds(1));
        SessionCache cacheB = TestKeys.realTimeCache(token, slow, Duration.ofMillis(50));
        TlsTestServer<Resumption> nodeA = TlsTestServer.start(ShredcacheSslContextBuilder
            .forServer(cert.certificateFile(), cert.privateKeyFile()).sessionCache(cacheA).build(),
            ShredcacheSslContext::resumption);
        TlsTestServer<Resumption> nodeB = TlsTestServer.builder(ShredcacheSslContextBuilder
            .forServer(cert.certificateFile(), cert.privateKeyFile()).sessionCache(cacheB).build(),
            ShredcacheSslContext::resumption).pipeline(tls).start();
        Balancer lb = Balancer.start(List.of(nodeA.port(), nodeB.port()))) {
      byte[] payload = "ping".getBytes();
      // Warm both sides up (class loading, JIT) with fresh clients that offer no session.
      for (int i = 0; i < 5; i++) {
        JdkTlsClient.echo(JdkTlsClient.trustingAnyServer(), nodeB.port(),
            "TLSv1.3", payload);
        nodeB.nextHandshake();
      }
      SSLContext resuming = JdkTlsClient.trustingAnyServer();
      // The JDK client offers a session only to the address it got it from: go through one
      // balancer address (first connection to A, second to B).
      JdkTlsClient.echo(resuming, lb.port(), "TLSv1.2", payload);
      assertThat(nodeA.nextHandshake().resumption()).isEqualTo(Resumption.FULL);

      CompletableFuture<byte[]> slowOne = CompletableFuture.supplyAsync(() -> {
        try {
          return JdkTlsClient.echo(resuming, lb.port(), "TLSv1.2", payload);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      await("prefetch asked the store").atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(1)).until(() -> slow.getsStarted.get() > 0);
      assertThat(slow.getsStarted.get()).as("prefetch asked the store").isEqualTo(1);

      // Meanwhile, on the same (single) event loop of node B, other clients complete, and so
      // does the slow one (full handshake after the prefetch timeout): all before the store
      // answered.
      for (int i = 0; i < 2; i++) {
        JdkTlsClient.echo(JdkTlsClient.trustingAnyServer(), nodeB.port(),
            "TLSv1.3", payload);
      }
      assertThat(slowOne.get(10, TimeUnit.SECONDS)).isEqualTo(payload);
      assertThat(slow.firstGetCompletedNanos.get()).as("store answered already").isZero();
      slow.release();

      List<TlsTestServer.Handshake<Resumption>> hs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        hs.add(nodeB.nextHandshake());
      }
      assertThat(hs).allMatch(TlsTestServer.Handshake::success);
      TlsTestServer.Handshake<Resumption> slowHandshake = hs.stream()
          .filter(h -> h.protocol().equals("TLSv1.2")).findFirst().orElseThrow();
      assertThat(slowHandshake.resumption()).isEqualTo(Resumption.FULL);
    } finally {
      slow.close();
      cert.close();
    }
  }
}
