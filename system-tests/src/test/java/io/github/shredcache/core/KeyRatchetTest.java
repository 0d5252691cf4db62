package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.FakeScheduler;
import io.github.shredcache.testing.TestKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
    assertThat(a.openingKey(TestKeys.EPOCH_0 + 1).sealKey().getEncoded())
        .isEqualTo(b.openingKey(TestKeys.EPOCH_0 + 1).sealKey().getEncoded());
    KeyRatchet c = TestKeys.ratchetB(clock);
    assertThat(c.openingKey(TestKeys.EPOCH_0 + 1).sealKey().getEncoded())
        .isNotEqualTo(a.openingKey(TestKeys.EPOCH_0 + 1).sealKey().getEncoded());
  }

  @Test
  void bigClockJumpDerivesForward() {
    KeyRatchet r = TestKeys.ratchetA(clock);
    clock.advance(Duration.ofHours(100));
    r.advance();
    assertThat(r.currentEpoch()).isEqualTo(TestKeys.EPOCH_0 + 100);
    KeyRatchet direct = KeyRatchet.fromToken(
        TestKeys.tokenA(clock, TestKeys.EPOCH_0 + 100), TestKeys.LIFETIME, clock);
    assertThat(r.openingKey(TestKeys.EPOCH_0 + 101).sealKey().getEncoded())
        .isEqualTo(direct.openingKey(TestKeys.EPOCH_0 + 101).sealKey().getEncoded());
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

  @Test
  void erasesOnTimeByItselfWithNoUse() {
    FakeScheduler scheduler = new FakeScheduler(clock);
    KeyRatchet r = KeyRatchet.fromToken(TestKeys.tokenA(clock), TestKeys.LIFETIME, clock, scheduler);
    List<Long> notified = Collections.synchronizedList(new ArrayList<>());
    r.addEpochListener(notified::add);
    KeyRatchet.EpochKey e0 = r.openingKey(TestKeys.EPOCH_0);
    byte[] live = e0.internalStateForTesting();
    byte[] sealKey = e0.sealKey().getEncoded();

    // R = 1: epoch 0 leaves the window when epoch 2 starts. Nothing touches the ratchet meanwhile.
    scheduler.advance(Duration.ofHours(2).minusSeconds(1));
    assertThat(live).isNotEqualTo(new byte[32]);
    scheduler.advance(Duration.ofSeconds(1).plus(KeyRatchet.TICK_MARGIN));

    assertThat(e0.isDestroyed()).isTrue();
    assertThat(live).containsOnly(0);
    assertThat(sealKey).isNotEqualTo(new byte[32]);
    assertThatThrownBy(() -> e0.sealKey().getEncoded()).isInstanceOf(IllegalStateException.class);
    assertThat(notified).containsExactly(TestKeys.EPOCH_0 + 1, TestKeys.EPOCH_0 + 2);
    assertThat(scheduler.pending()).isEqualTo(1); // the next boundary, and nothing else

    r.close();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void largeClockJumpIsNeverCaughtUpOnTheCallersThread() {
    FakeScheduler scheduler = new FakeScheduler(clock);
    KeyRatchet r = KeyRatchet.fromToken(TestKeys.tokenA(clock), TestKeys.LIFETIME, clock, scheduler);
    KeyRatchet.EpochKey e0 = r.openingKey(TestKeys.EPOCH_0);
    clock.advance(Duration.ofHours(KeyRatchet.MAX_INLINE_STEPS + 10));

    // On the caller's thread: no key handed out, no derivation done, old keys refused.
    assertThat(r.sealingKey()).isNull();
    assertThat(r.openingKey(TestKeys.EPOCH_0)).isNull();
    assertThat(e0.isDestroyed()).isFalse();

    scheduler.runDue();
    assertThat(e0.isDestroyed()).isTrue();
    assertThat(r.sealingKey().epoch).isEqualTo(TestKeys.EPOCH_0 + KeyRatchet.MAX_INLINE_STEPS + 10);
  }

  @Test
  void smallClockJumpIsCaughtUpInline() {
    FakeScheduler scheduler = new FakeScheduler(clock);
    KeyRatchet r = KeyRatchet.fromToken(TestKeys.tokenA(clock), TestKeys.LIFETIME, clock, scheduler);
    clock.advance(Duration.ofHours(3));
    assertThat(r.sealingKey().epoch).isEqualTo(TestKeys.EPOCH_0 + 3);
  }

  @Test
  void implausibleClockJumpErasesEverything() {
    KeyToken t = KeyToken.generate(Duration.ofSeconds(1), clock);
    FakeScheduler scheduler = new FakeScheduler(clock);
    KeyRatchet r = KeyRatchet.fromToken(t, Duration.ofSeconds(10), clock, scheduler);
    KeyRatchet.EpochKey current = r.sealingKey();
    byte[] live = current.internalStateForTesting();
    clock.advance(Duration.ofSeconds(KeyRatchet.MAX_CATCH_UP_EPOCHS + 5));

    long start = System.nanoTime();
    scheduler.runDue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(live).containsOnly(0);
    assertThat(r.sealingKey()).isNull();
    assertThat(r.openingKey(r.currentEpoch())).isNull();
    assertThat(r.ticketKeys()).isEmpty();
  }
}
