package io.github.shredcache.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.shredcache.testing.memcached.MemcachedProcess;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Start-up checks (SASL, unreachable servers) and clean shutdown without thread leaks. */
class StoreLifecycleIT {

  @Test
  void saslRightCredentialsWork() throws Exception {
    try (MemcachedProcess m = MemcachedProcess.builder().sasl("alice", "s3cret-pw").start();
        MemcachedSessionStore store =
            MemcachedSessionStore.builder()
                .servers(m.address())
                .credentials("alice", "s3cret-pw".toCharArray())
                .build()) {
      store.set("ns:sasl", new byte[] {7}, Duration.ofMinutes(1)).get(5, TimeUnit.SECONDS);
      assertThat(store.get("ns:sasl").get(5, TimeUnit.SECONDS))
          .hasValueSatisfying(v -> assertThat(v).containsExactly(7));
      assertThat(store.toString()).contains("user=alice").doesNotContain("s3cret");
    }
  }

  @Test
  void saslReauthenticatesAfterTheServerRestarts() throws Exception {
    try (MemcachedProcess m = MemcachedProcess.builder().sasl("alice", "s3cret-pw").start();
        MemcachedSessionStore store =
            MemcachedSessionStore.builder()
                .servers(m.address())
                .credentials("alice", "s3cret-pw".toCharArray())
                .build()) {
      store.set("ns:sasl", new byte[] {7}, Duration.ofMinutes(1)).get(5, TimeUnit.SECONDS);
      m.restart();
      long t0 = System.nanoTime();
      await("re-authenticated").atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> store.set("ns:sasl", new byte[] {8}, Duration.ofMinutes(1))
              .handle((ok, e) -> e == null).get(5, TimeUnit.SECONDS));
      System.out.printf("SASL server restarted: writes succeed again after %.2f s%n",
          (System.nanoTime() - t0) / 1e9);
      assertThat(store.get("ns:sasl").get(5, TimeUnit.SECONDS))
          .hasValueSatisfying(v -> assertThat(v).containsExactly(8));
    }
  }

  @Test
  void saslWrongCredentialsFailAtStartupWithoutThePassword() {
    try (MemcachedProcess m = MemcachedProcess.builder().sasl("alice", "s3cret-pw").start()) {
      long t0 = System.nanoTime();
      assertThatThrownBy(
              () ->
                  MemcachedSessionStore.builder()
                      .servers(m.address())
                      .credentials("alice", "wrong-pw".toCharArray())
                      .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "memcached at " + m.address() + " rejected the SASL credentials for user 'alice';"
                  + " check --memcached-user/password")
          .hasMessageNotContaining("wrong-pw");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThatThrownBy(
              () ->
                  MemcachedSessionStore.builder()
                      .servers(m.address())
                      .credentials("mallory", "s3cret-pw".toCharArray())
                      .build())
          .hasMessageContaining("rejected the SASL credentials for user 'mallory'");
    }
  }

  @Test
  void saslServerWithoutCredentialsFailsAtStartup() {
    try (MemcachedProcess m = MemcachedProcess.builder().sasl("alice", "s3cret-pw").start()) {
      assertThatThrownBy(() -> MemcachedSessionStore.builder().servers(m.address()).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("memcached at " + m.address() + " requires SASL authentication; set"
              + " --memcached-user/password");
    }
  }

  @Test
  void credentialsForAServerWithoutSaslFailAtStartup() {
    try (MemcachedProcess m = MemcachedProcess.start()) {
      assertThatThrownBy(
              () ->
                  MemcachedSessionStore.builder()
                      .servers(m.address())
                      .credentials("alice", "pw".toCharArray())
                      .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("does not support SASL (not started with -S)");
    }
  }

  @Test
  void anUnreachableServerDoesNotFailTheBuildAndItsKeysFailFast() throws Exception {
    int deadPort;
    try (MemcachedProcess m = MemcachedProcess.start()) {
      deadPort = m.port();
    } // now nothing listens there
    long t0 = System.nanoTime();
    try (MemcachedSessionStore store =
        MemcachedSessionStore.builder()
            .servers("127.0.0.1:" + deadPort)
            .startupTimeout(Duration.ofMillis(300))
            .build()) {
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
      long t1 = System.nanoTime();
      assertThatThrownBy(() -> store.get("ns:k").get(2, TimeUnit.SECONDS))
          .hasCauseInstanceOf(java.io.IOException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - t1))
          .as("cancelled at once (FailureMode.Cancel), not after the timeout")
          .isLessThan(Duration.ofMillis(200));
    }
  }

  @Test
  void aFullServerEvictsOrFailsWritesInTheFutureNeverTheCaller() throws Exception {
    byte[] value = new byte[16 * 1024 - 64];
    // evicting (memcached's default): every write succeeds, the oldest entries become misses
    try (MemcachedProcess m = MemcachedProcess.builder().memoryLimitMegabytes(2).start();
        MemcachedSessionStore store = patientStore(m)) {
      for (int i = 0; i < 1000; i++) {
        store.set("ns:full-" + i, value, Duration.ofMinutes(5)).get(5, TimeUnit.SECONDS);
      }
      assertThat(store.get("ns:full-0").get(5, TimeUnit.SECONDS)).as("evicted").isEmpty();
      assertThat(store.get("ns:full-999").get(5, TimeUnit.SECONDS)).isPresent();
    }
    // -M: memcached refuses writes when full; the refusal is a failed future, not an exception
    try (MemcachedProcess m = MemcachedProcess.builder().memoryLimitMegabytes(2).extraArgs("-M").start();
        MemcachedSessionStore store = patientStore(m)) {
      Throwable refused = null;
      for (int i = 0; i < 1000 && refused == null; i++) {
        refused = store.set("ns:full-" + i, value, Duration.ofMinutes(5))
            .handle((ok, e) -> e).get(5, TimeUnit.SECONDS);
      }
      assertThat(refused).isInstanceOf(java.io.IOException.class).hasMessageContaining("failed");
      assertThat(store.get("ns:full-0").get(5, TimeUnit.SECONDS)).as("kept, not evicted").isPresent();
    }
  }

  private static MemcachedSessionStore patientStore(MemcachedProcess m) {
    return MemcachedSessionStore.builder().servers(m.address()).operationTimeout(Duration.ofSeconds(2)).build();
  }

  @Test
  void closingWhileAServerIsPausedIsBoundedAndCompletesPendingFutures() throws Exception {
    try (MemcachedProcess m = MemcachedProcess.start()) {
      MemcachedSessionStore store = MemcachedSessionStore.builder().servers(m.address())
          .operationTimeout(Duration.ofMillis(500)).build();
      m.pause();
      try {
        java.util.List<java.util.concurrent.CompletableFuture<?>> pending = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
          pending.add(store.get("ns:paused-" + i));
        }
        long t0 = System.nanoTime();
        store.close();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println("close() with a paused server took " + took.toMillis() + " ms");
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertThat(pending).allMatch(java.util.concurrent.CompletableFuture::isDone);
        assertThat(pending).allMatch(java.util.concurrent.CompletableFuture::isCompletedExceptionally);
      } finally {
        m.resume();
      }
    }
  }

  @Test
  void repeatedBuildAndCloseLeaksNoThreads() throws Exception {
    try (MemcachedProcess m = MemcachedProcess.start()) {
      // warm up once: JDK-wide helper threads (e.g. the process reaper) may start on first use
      cycle(m);
      Set<String> before = liveThreadNames();
      int countBefore = Thread.activeCount();
      for (int i = 0; i < 15; i++) {
        cycle(m);
      }
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .pollInSameThread() // no poller thread of its own among the counted ones
          .untilAsserted(() -> assertThat(liveThreadNames())
              .as("threads left behind by 15 build/close cycles").isSubsetOf(before));
      Set<String> after = liveThreadNames();
      assertThat(Thread.activeCount()).isLessThanOrEqualTo(countBefore);
      assertThat(after.stream().filter(n -> n.startsWith("shredcache-memcached")
          || n.startsWith("Memcached IO"))).isEmpty();
    }
  }

  private static void cycle(MemcachedProcess m) throws Exception {
    // This test is about threads, not latency: a generous timeout keeps a slow first round trip
    // (fresh connection, cold JIT, busy CI machine) from failing it.
    try (MemcachedSessionStore store = MemcachedSessionStore.builder().servers(m.address())
        .operationTimeout(Duration.ofSeconds(2)).build()) {
      store.set("ns:cycle", new byte[] {1}, Duration.ofMinutes(1)).get(5, TimeUnit.SECONDS);
      assertThat(store.get("ns:cycle").get(5, TimeUnit.SECONDS)).isPresent();
    }
  }

  private static Set<String> liveThreadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }
}
