package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.testing.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemorySessionStoreTest {
  private final FakeClock clock = new FakeClock();
  private final InMemorySessionStore store = new InMemorySessionStore(clock);

  @Test
  void setGetDeleteWithCopies() {
    byte[] v = {1, 2, 3};
    store.set("k", v, Duration.ofSeconds(10)).join();
    v[0] = 9;
    byte[] got = store.get("k").join().orElseThrow();
    assertThat(got).containsExactly(1, 2, 3);
    got[1] = 9;
    assertThat(store.get("k").join().orElseThrow()).containsExactly(1, 2, 3);
    assertThat(store.delete("k").join()).isTrue();
    assertThat(store.delete("k").join()).isFalse();
    assertThat(store.get("k").join()).isEmpty();
  }

  @Test
  void ttlFollowsTheClock() {
    store.set("k", new byte[] {1}, Duration.ofSeconds(10)).join();
    clock.advance(Duration.ofSeconds(9));
    assertThat(store.get("k").join()).isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.get("k").join()).isEmpty();
    store.set("k2", new byte[] {1}, Duration.ofSeconds(1)).join();
    clock.advance(Duration.ofSeconds(2));
    assertThat(store.delete("k2").join()).isFalse();
  }

  @Test
  void rejectsWhatMemcachedWouldReject() {
    assertThat(store.set("has space", new byte[1], Duration.ofSeconds(1))).isCompletedExceptionally();
    assertThat(store.set("k".repeat(251), new byte[1], Duration.ofSeconds(1))).isCompletedExceptionally();
    assertThat(store.set("k", new byte[SessionStore.MAX_VALUE_BYTES + 1], Duration.ofSeconds(1)))
        .isCompletedExceptionally();
    assertThat(store.set("k", new byte[1], Duration.ofDays(31))).isCompletedExceptionally();
    assertThat(store.get("")).isCompletedExceptionally();
  }

  @Test
  void fullStoreDropsExpiredThenRefuses() {
    InMemorySessionStore small = new InMemorySessionStore(clock, 2);
    small.set("a", new byte[1], Duration.ofSeconds(1)).join();
    small.set("b", new byte[1], Duration.ofSeconds(100)).join();
    clock.advance(Duration.ofSeconds(2));
    small.set("c", new byte[1], Duration.ofSeconds(100)).join(); // "a" expired: room
    assertThat(small.set("d", new byte[1], Duration.ofSeconds(100)))
        .failsWithin(Duration.ofSeconds(1)).withThrowableOfType(java.util.concurrent.ExecutionException.class);
    assertThat(small.size()).isEqualTo(2);
  }
}
