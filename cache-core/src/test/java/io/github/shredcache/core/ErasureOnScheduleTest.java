package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/**
 * The library as the README sets it up (system clock, the library's own scheduler, no timer of the
 * application's): an epoch's state is zeroized when it leaves the window, with no use of the
 * ratchet or the cache in between.
 */
class ErasureOnScheduleTest {
  @Test
  void anIdleNodeErasesOldEpochsOnTime() throws Exception {
    InstantSource clock = InstantSource.system();
    KeyToken token = KeyToken.generate(Duration.ofSeconds(1), clock);
    try (KeyRatchet keys = KeyRatchet.fromToken(token, Duration.ofSeconds(1), clock);
        SessionCache cache = SessionCache.builder().keys(keys).build()) {
      cache.put(SessionId.of(new byte[] {1, 2, 3}), new byte[] {4, 5, 6},
          clock.instant().plusSeconds(1));
      long epoch = keys.currentEpoch();
      byte[] live = keys.openingKey(epoch).internalStateForTesting();
      assertThat(live).isNotEqualTo(new byte[32]);

      // R = 1: the state of `epoch` must be gone at startOf(epoch + 2) plus the tick margin.
      long deadline = keys.startOf(epoch + 2).toEpochMilli() + 1_000;
      await("epoch " + epoch + " zeroized within 1 s after it left the window")
          .atMost(Duration.ofMillis(Math.max(1, deadline - clock.millis())))
          .pollInterval(Duration.ofMillis(10)) // reads the array only: nothing touches the ratchet
          .until(() -> isZero(live));
      assertThat(live).as("epoch %s zeroized within 1 s after it left the window", epoch)
          .containsOnly(0);
      assertThat(clock.millis()).isGreaterThanOrEqualTo(keys.startOf(epoch + 2).toEpochMilli());
    }
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}
