package io.github.shredcache.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.shredcache.testing.memcached.HostileMemcachedProxy;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replies that announce a body longer than any valid reply (a hostile memcached, or someone on
 * its link) are refused before anything is buffered; the connection is re-opened and the store
 * keeps working, with no restart.
 */
class HostileRepliesIT {
  private static MemcachedProcess memcached;

  @BeforeAll
  static void startMemcached() {
    memcached = MemcachedProcess.start();
  }

  @AfterAll
  static void stopMemcached() {
    if (memcached != null) {
      memcached.close();
    }
  }

  @ParameterizedTest(name = "announced body of {0} bytes")
  @ValueSource(longs = {0x7FFF_FFFFL, 150_000_000L, 0xFFFF_FFFFL, BoundedReplies.MAX_BODY_BYTES + 1})
  void oversizedReplyIsAMissAndTheStoreRecoversWithoutRestart(long announced) throws Exception {
    try (HostileMemcachedProxy proxy = HostileMemcachedProxy.start(memcached.port());
        MemcachedSessionStore store = MemcachedSessionStore.builder()
            .servers(proxy.address())
            .operationTimeout(Duration.ofSeconds(2))
            .build()) {
      byte[] value = new byte[160];
      store.set("k", value, Duration.ofMinutes(5)).get(5, TimeUnit.SECONDS);
      int connectionsBefore = proxy.connections();

      proxy.poisonNextGets(1, announced);
      CompletableFuture<Optional<byte[]>> hostile = store.get("k");
      Throwable error = null;
      try {
        hostile.get(5, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        error = e.getCause();
      }
      assertThat(error).as("the poisoned get fails (a miss for the cache)").isNotNull();
      assertThat(proxy.poisoned()).isEqualTo(1);
      assertThat(store.refusedReplies()).isEqualTo(1);

      // Back within seconds on a new connection, with no restart of anything.
      Optional<byte[]> got = await("the store answers again after the hostile reply")
          .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
          .ignoreExceptionsInstanceOf(ExecutionException.class) // while spymemcached reconnects
          .until(() -> store.get("k").get(2, TimeUnit.SECONDS), Optional::isPresent);
      assertThat(got).contains(value);
      assertThat(proxy.connections()).isGreaterThan(connectionsBefore);
    }
  }
}
