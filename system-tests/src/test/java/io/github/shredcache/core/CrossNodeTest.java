package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Nodes of one chain agree on keys without talking; nodes of other chains cannot read them. */
class CrossNodeTest {
  private final FakeClock clockX = new FakeClock(TestKeys.START.plus(Duration.ofMinutes(50)));
  private final FakeClock clockY = new FakeClock(TestKeys.START.plus(Duration.ofMinutes(70)));
  private final InMemorySessionStore store = new InMemorySessionStore(clockX);

  @Test
  void sameChainAtDifferentEpochsWithinTheWindowOpenEachOther() {
    // X is in epoch 0; Y (clock 20 min ahead) is in epoch 1. Both started from the same token, Y
    // ratcheted it forward to its own window [e - 1, e + 1].
    SessionCache x = TestKeys.cacheA(clockX, store);
    KeyRatchet ky = TestKeys.ratchetA(clockY);
    SessionCache y = TestKeys.builder(ky, clockY, store).namespace("test").build();
    assertThat(ky.currentEpoch()).isEqualTo(TestKeys.EPOCH_0 + 1);

    SessionId fromX = TestKeys.sessionId(1);
    SessionId fromY = TestKeys.sessionId(2);
    x.put(fromX, TestKeys.state(1, 100), clockX.instant().plus(Duration.ofMinutes(30)));
    y.put(fromY, TestKeys.state(2, 100), clockY.instant().plus(Duration.ofMinutes(30)));
    assertThat(y.stats().sealsInCurrentEpoch()).isEqualTo(1);

    assertThat(y.lookup(fromX).join()).isEqualTo(LookupResult.STORE_HIT); // epoch 0 = Y's e - 1
    assertThat(y.peek(fromX).orElseThrow().toByteArray()).isEqualTo(TestKeys.state(1, 100));
    assertThat(x.lookup(fromY).join()).isEqualTo(LookupResult.STORE_HIT); // epoch 1 = X's e + 1
    assertThat(x.peek(fromY).orElseThrow().toByteArray()).isEqualTo(TestKeys.state(2, 100));
  }

  @Test
  void nodeStartedFromALaterTokenCannotOpenEarlierEpochs() {
    // Forward secrecy of the token itself: epochs before a token's epoch cannot be derived from it.
    SessionCache x = TestKeys.cacheA(clockX, store);
    KeyRatchet ky = KeyRatchet.fromToken(TestKeys.tokenA(clockY, TestKeys.EPOCH_0 + 1), TestKeys.LIFETIME, clockY);
    SessionCache y = TestKeys.builder(ky, clockY, store).namespace("test").build();
    SessionId fromX = TestKeys.sessionId(1);
    SessionId fromY = TestKeys.sessionId(2);
    x.put(fromX, TestKeys.state(1, 100), clockX.instant().plus(Duration.ofMinutes(30)));
    y.put(fromY, TestKeys.state(2, 100), clockY.instant().plus(Duration.ofMinutes(30)));
    assertThat(y.lookup(fromX).join()).isEqualTo(LookupResult.MISS);
    assertThat(y.stats().openFailures(OpenFailure.EPOCH_OUTSIDE_WINDOW)).isEqualTo(1);
    assertThat(x.lookup(fromY).join()).isEqualTo(LookupResult.STORE_HIT);
  }

  @Test
  void differentChainsDoNotOpenEachOther() {
    SessionCache a = TestKeys.cacheA(clockX, store);
    SessionCache b = TestKeys.cacheB(clockX, store);
    SessionId ia = TestKeys.sessionId(1);
    SessionId ib = TestKeys.sessionId(2);
    a.put(ia, TestKeys.state(1, 100), clockX.instant().plus(Duration.ofMinutes(5)));
    b.put(ib, TestKeys.state(2, 100), clockX.instant().plus(Duration.ofMinutes(5)));
    assertThat(b.lookup(ia).join()).isEqualTo(LookupResult.MISS);
    assertThat(a.lookup(ib).join()).isEqualTo(LookupResult.MISS);
    assertThat(a.stats().openFailures(OpenFailure.AUTHENTICATION)).isEqualTo(1);
    assertThat(b.stats().openFailures(OpenFailure.AUTHENTICATION)).isEqualTo(1);
    assertThat(b.peek(ia)).isEmpty();
  }

  @Test
  void frontCopyOfAStoreEntryLivesAtMostTheFrontCacheTtl() {
    SessionCache a = TestKeys.cacheA(clockX, store);
    SessionCache b = TestKeys.builderA(clockX, store).namespace("test").frontCacheTtl(Duration.ofSeconds(30)).build();
    SessionId id = TestKeys.sessionId(1);
    a.put(id, TestKeys.state(1, 100), clockX.instant().plus(Duration.ofMinutes(5)));
    assertThat(b.lookup(id).join()).isEqualTo(LookupResult.STORE_HIT);
    a.invalidate(id).join();
    assertThat(b.peek(id)).isPresent(); // b has not heard of it yet
    clockX.advance(Duration.ofSeconds(30));
    assertThat(b.peek(id)).isEmpty();
    assertThat(b.lookup(id).join()).isEqualTo(LookupResult.MISS);
  }
}
