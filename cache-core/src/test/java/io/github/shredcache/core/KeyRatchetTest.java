package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.core.testing.FakeClock;
import io.github.shredcache.core.testing.TestKeys;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyRatchetTest {
  private final FakeClock clock = new FakeClock();

  @Test
  void windowSizeFromLifetime() {
    assertThat(KeyRatchet.fromToken(TestKeys.tokenA(clock), Duration.ofHours(1), clock).epochsBehind())
        .isEqualTo(1);
    assertThat(KeyRatchet.fromToken(TestKeys.tokenA(clock), Duration.ofMinutes(61), clock).epochsBehind())
        .isEqualTo(2);
    assertThat(KeyRatchet.fromToken(TestKeys.tokenA(clock), Duration.ofHours(24), clock).epochsBehind())
        .isEqualTo(24);
    assertThat(KeyRatchet.fromToken(TestKeys.tokenA(clock), Duration.ofSeconds(1), clock).epochsBehind())
        .isEqualTo(1);
  }

  @Test
  void fromTokenDestroysTheToken() {
    KeyToken t = TestKeys.tokenA(clock);
    KeyRatchet.fromToken(t, Duration.ofHours(1), clock);
    assertThat(t.isDestroyed()).isTrue();
  }

  @Test
  void fromTokenDestroysTheTokenEvenWhenRejected() {
    KeyToken t = TestKeys.tokenA(clock);
    assertThatThrownBy(() -> KeyRatchet.fromToken(t, Duration.ZERO, clock))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    assertThat(t.isDestroyed()).isTrue();
  }

  @Test
  void rejectsTokenFromTheFutureOfItsClock() {
    KeyToken t = TestKeys.tokenA(clock, TestKeys.EPOCH_0 + 2);
    FakeClock earlier = new FakeClock(TestKeys.START);
    assertThatThrownBy(() -> KeyRatchet.fromToken(t, Duration.ofHours(1), earlier))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("check this machine's clock");
  }

  @Test
  void rejectsHugeWindows() {
    KeyToken t = KeyToken.generate(Duration.ofSeconds(1), clock);
    assertThatThrownBy(() -> KeyRatchet.fromToken(t, Duration.ofDays(1), clock))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer epoch length");
  }

  @Test
  void windowFollowsTheClockAndZeroizesWhatLeaves() {
    KeyRatchet r = TestKeys.ratchetA(clock);
    assertThat(r.currentEpoch()).isEqualTo(TestKeys.EPOCH_0);
    KeyRatchet.EpochKey e0 = r.openingKey(TestKeys.EPOCH_0);
    assertThat(e0).isNotNull();
    assertThat(r.openingKey(TestKeys.EPOCH_0 + 1)).isNotNull();
    assertThat(r.openingKey(TestKeys.EPOCH_0 + 2)).isNull();
    assertThat(r.openingKey(TestKeys.EPOCH_0 - 1)).isNull(); // before the token: never held
    byte[] live = e0.internalStateForTesting();

    clock.advance(Duration.ofHours(1));
    r.advance();
    assertThat(r.currentEpoch()).isEqualTo(TestKeys.EPOCH_0 + 1);
    assertThat(r.openingKey(TestKeys.EPOCH_0)).isSameAs(e0); // R = 1: still in the window
    assertThat(live).isNotEqualTo(new byte[32]);

    clock.advance(Duration.ofHours(1));
    r.advance();
    assertThat(r.openingKey(TestKeys.EPOCH_0)).isNull();
    assertThat(e0.isDestroyed()).isTrue();
    assertThat(live).containsOnly(0);
  }

  @Test
  void sameChainGivesSameKeysWhereverItStarts() {
    KeyRatchet a = TestKeys.ratchetA(clock);
    FakeClock later = new FakeClock(TestKeys.START.plus(Duration.ofHours(1)));
    KeyRatchet b = KeyRatchet.fromToken(TestKeys.tokenA(later, TestKeys.EPOCH_0 + 1), TestKeys.LIFETIME, later);
    assertThat(a.openingKey(TestKeys.EPOCH_0 + 1).sealKey())
        .isEqualTo(b.openingKey(TestKeys.EPOCH_0 + 1).sealKey());
    KeyRatchet c = TestKeys.ratchetB(clock);
    assertThat(c.openingKey(TestKeys.EPOCH_0 + 1).sealKey())
        .isNotEqualTo(a.openingKey(TestKeys.EPOCH_0 + 1).sealKey());
  }

  @Test
  void bigClockJumpDerivesForward() {
    KeyRatchet r = TestKeys.ratchetA(clock);
    clock.advance(Duration.ofHours(100));
    assertThat(r.currentEpoch()).isEqualTo(TestKeys.EPOCH_0 + 100);
    KeyRatchet direct = KeyRatchet.fromToken(
        TestKeys.tokenA(clock, TestKeys.EPOCH_0 + 100), TestKeys.LIFETIME, clock);
    assertThat(r.openingKey(TestKeys.EPOCH_0 + 101).sealKey())
        .isEqualTo(direct.openingKey(TestKeys.EPOCH_0 + 101).sealKey());
    assertThat(r.openingKey(TestKeys.EPOCH_0 + 99)).isNotNull();
    assertThat(r.openingKey(TestKeys.EPOCH_0 + 98)).isNull();
  }

  @Test
  void clockGoingBackKeepsTheWindow() {
    KeyRatchet r = TestKeys.ratchetA(clock);
    clock.advance(Duration.ofHours(3));
    r.advance();
    clock.advance(Duration.ofHours(-2));
    assertThat(r.currentEpoch()).isEqualTo(TestKeys.EPOCH_0 + 3);
    assertThat(r.openingKey(TestKeys.EPOCH_0 + 1)).isNull(); // erased, never comes back
  }

  @Test
  void ticketKeysCurrentFirstThenNewestFirst() {
    clock.advance(Duration.ofHours(5));
    KeyRatchet r = KeyRatchet.fromToken(TestKeys.tokenA(clock), Duration.ofHours(2), clock);
    List<TicketKeyMaterial> keys = r.ticketKeys();
    assertThat(keys).extracting(TicketKeyMaterial::epoch).containsExactly(
        TestKeys.EPOCH_0 + 5, TestKeys.EPOCH_0 + 6, TestKeys.EPOCH_0 + 4, TestKeys.EPOCH_0 + 3);
    for (TicketKeyMaterial k : keys) {
      assertThat(k.name()).hasSize(16);
      assertThat(k.hmacKey()).hasSize(16).isNotEqualTo(k.aesKey()).isNotEqualTo(k.name());
    }
    assertThat(keys.get(0).aesKey()).isNotEqualTo(keys.get(1).aesKey());
    TicketKeyMaterial first = keys.get(0);
    first.destroy();
    assertThat(first.toString()).contains("redacted");
    assertThatThrownBy(first::aesKey).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeZeroizesAndBlocksUse() {
    KeyRatchet r = TestKeys.ratchetA(clock);
    byte[] live = r.openingKey(TestKeys.EPOCH_0).internalStateForTesting();
    r.close();
    assertThat(live).containsOnly(0);
    assertThatThrownBy(r::currentEpoch).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(r::ticketKeys).isInstanceOf(IllegalStateException.class);
    assertThat(r.toString()).contains("closed");
  }

  @Test
  void epochArithmetic() {
    KeyRatchet r = TestKeys.ratchetA(clock);
    assertThat(r.epochOf(TestKeys.START)).isEqualTo(TestKeys.EPOCH_0);
    assertThat(r.epochOf(TestKeys.START.minusSeconds(1))).isEqualTo(TestKeys.EPOCH_0 - 1);
    assertThat(r.startOf(TestKeys.EPOCH_0 + 1)).isEqualTo(TestKeys.START.plus(Duration.ofHours(1)));
    assertThat(r.epochLength()).isEqualTo(Duration.ofHours(1));
  }
}
