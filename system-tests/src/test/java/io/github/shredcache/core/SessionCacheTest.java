package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SessionCacheTest {
  private final FakeClock clock = new FakeClock();
  private final InMemorySessionStore store = new InMemorySessionStore(clock);
  private final SessionId id = TestKeys.sessionId(1);
  private final byte[] state = TestKeys.state(1, 160);

  private Instant inMinutes(int m) {
    return clock.instant().plus(Duration.ofMinutes(m));
  }

  @Test
  void putThenPeekReturnsAnOwnedCopy() {
    SessionCache cache = TestKeys.cacheA(clock, store);
    cache.put(id, state, inMinutes(10));
    SessionState s = cache.peek(id).orElseThrow();
    assertThat(s.toByteArray()).isEqualTo(state);
    assertThat(s.source()).isEqualTo(SessionState.Source.LOCAL);
    assertThat(s.expiresAt()).isEqualTo(inMinutes(10));
    s.destroy();
    assertThat(cache.peek(id).orElseThrow().toByteArray()).isEqualTo(state);
    assertThat(cache.stats().localHits()).isEqualTo(2);
    assertThat(cache.stats().puts()).isEqualTo(1);
  }

  @Test
  void callerKeepsOwnershipOfPutBytes() {
    SessionCache cache = TestKeys.cacheA(clock, store);
    byte[] mine = state.clone();
    cache.put(id, mine, inMinutes(10));
    java.util.Arrays.fill(mine, (byte) 0);
    assertThat(cache.peek(id).orElseThrow().toByteArray()).isEqualTo(state);
  }

  @Test
  void storeHoldsSealedEntryUnderHashedKey() {
    SessionCache cache = TestKeys.cacheA(clock, store);
    cache.put(id, state, inMinutes(10));
    assertThat(store.size()).isEqualTo(1);
    String key = DefaultSessionCache.storeKey("test", id);
    assertThat(key).startsWith("test:").hasSize("test:".length() + 43);
    byte[] sealed = store.get(key).join().orElseThrow();
    assertThat(sealed).hasSize(45 + 160);
    assertThat(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(new String(state, java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  @Test
  void otherNodeLooksUpFromStoreThenPeeks() {
    SessionCache a = TestKeys.cacheA(clock, store);
    SessionCache b = TestKeys.cacheA(clock, store);
    a.put(id, state, inMinutes(10));
    assertThat(b.peek(id)).isEmpty();
    assertThat(b.lookup(id).join()).isEqualTo(LookupResult.STORE_HIT);
    SessionState s = b.peek(id).orElseThrow();
    assertThat(s.toByteArray()).isEqualTo(state);
    assertThat(s.source()).isEqualTo(SessionState.Source.STORE);
    assertThat(s.expiresAt()).isEqualTo(inMinutes(10));
    assertThat(b.lookup(id).join()).isEqualTo(LookupResult.LOCAL_HIT);
    CacheStats st = b.stats();
    assertThat(st.storeHits()).isEqualTo(1);
    assertThat(st.localHits()).isEqualTo(2);
    assertThat(st.storeLookups()).isEqualTo(1);
    assertThat(st.currentEpoch()).isEqualTo(TestKeys.EPOCH_0);
    assertThat(a.stats().sealsInCurrentEpoch()).isEqualTo(1);
  }

  @Test
  void unknownIdIsAMiss() {
    SessionCache cache = TestKeys.cacheA(clock, store);
    assertThat(cache.lookup(id).join()).isEqualTo(LookupResult.MISS);
    assertThat(cache.peek(id)).isEmpty();
    assertThat(cache.stats().misses()).isEqualTo(1);
  }

  @Test
  void invalidateRemovesLocallyAndFromStore() {
    SessionCache a = TestKeys.cacheA(clock, store);
    a.put(id, state, inMinutes(10));
    assertThat(a.invalidate(id).join()).isTrue();
    assertThat(a.peek(id)).isEmpty();
    assertThat(a.lookup(id).join()).isEqualTo(LookupResult.MISS);
    assertThat(a.invalidate(id).join()).isFalse();
    assertThat(a.stats().invalidations()).isEqualTo(2);
  }

  @Test
  void expiresAtIsCappedByLifetime() {
    SessionCache cache = TestKeys.cacheA(clock, store);
    cache.put(id, state, inMinutes(600));
    assertThat(cache.peek(id).orElseThrow().expiresAt()).isEqualTo(inMinutes(60));
  }

  @Test
  void alreadyExpiredPutIsIgnored() {
    SessionCache cache = TestKeys.cacheA(clock, store);
    cache.put(id, state, clock.instant());
    assertThat(cache.peek(id)).isEmpty();
    assertThat(store.size()).isZero();
  }

  @Test
  void expiredLocalEntryIsNotHandedOut() {
    SessionCache cache = TestKeys.cacheA(clock, store);
    cache.put(id, state, inMinutes(10));
    clock.advance(Duration.ofMinutes(10));
    assertThat(cache.peek(id)).isEmpty();
    assertThat(cache.lookup(id).join()).isEqualTo(LookupResult.MISS);
  }

  @Test
  void storeFailuresAreMissesAndCounted() {
    SessionStore broken = new SessionStore() {
      @Override
      public CompletableFuture<Optional<byte[]>> get(String key) {
        return CompletableFuture.failedFuture(new java.io.IOException("down"));
      }

      @Override
      public CompletableFuture<Void> set(String key, byte[] value, Duration ttl) {
        throw new IllegalStateException("down");
      }

      @Override
      public CompletableFuture<Boolean> delete(String key) {
        return CompletableFuture.failedFuture(new java.io.IOException("down"));
      }
    };
    SessionCache cache = TestKeys.builderA(clock, broken).build();
    cache.put(id, state, inMinutes(10));
    assertThat(cache.peek(id)).isPresent(); // local copy still works
    assertThat(cache.lookup(TestKeys.sessionId(2)).join()).isEqualTo(LookupResult.MISS);
    assertThat(cache.invalidate(id).join()).isFalse();
    assertThat(cache.stats().storeErrors()).isEqualTo(3);
  }

  @Test
  void slowStoreTimesOutAsAMiss() {
    SessionCache cache = TestKeys.builderA(clock, new SlowStore()).lookupTimeout(Duration.ofMillis(20)).build();
    assertThat(cache.lookup(id).join()).isEqualTo(LookupResult.MISS);
    assertThat(cache.stats().storeTimeouts()).isEqualTo(1);
  }

  @Test
  void builderIsSetOnceAndValidates() {
    SessionCacheBuilder b = SessionCache.builder().namespace("a");
    assertThatThrownBy(() -> b.namespace("b"))
        .isInstanceOf(IllegalStateException.class).hasMessage("namespace was already set to a");
    assertThatThrownBy(() -> SessionCache.builder().namespace("has space"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[A-Za-z0-9._-]");
    assertThatThrownBy(() -> SessionCache.builder().namespace("x".repeat(65)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SessionCache.builder().maxSessionLifetime(Duration.ofDays(31)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("30 days");
    assertThatThrownBy(() -> SessionCache.builder().maxSessionLifetime(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    assertThatThrownBy(() -> SessionCache.builder().frontCacheMaximumSize(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SessionCache.builder().lookupTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SessionCache.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("keys are required");
    assertThatThrownBy(() -> SessionCache.builder().keys(TestKeys.ratchetA(clock))
            .maxSessionLifetime(Duration.ofHours(2)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("longer than the key window");
    SessionCacheBuilder k = SessionCache.builder().keys(TestKeys.ratchetA(clock));
    assertThatThrownBy(() -> k.keys(TestKeys.ratchetA(clock)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("keys was already set to KeyRatchet[")
        .hasMessageContaining("redacted");
  }

  @Test
  void defaultsBuildAWorkingCache() {
    SessionCache cache = SessionCache.builder().keys(TestKeys.ratchetA(clock)).build();
    cache.put(id, state, inMinutes(5));
    assertThat(cache.peek(id)).isPresent();
    cache.close();
    assertThat(cache.peek(id)).isEmpty();
  }

  /** A store whose gets never complete. */
  private static class SlowStore implements SessionStore {
    @Override
    public CompletableFuture<Optional<byte[]>> get(String key) {
      return new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<Void> set(String key, byte[] value, Duration ttl) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> delete(String key) {
      return CompletableFuture.completedFuture(false);
    }
  }

  @Test
  void storeTtlIsTimeUntilExpiryClamped() {
    java.util.List<Duration> ttls = new java.util.concurrent.CopyOnWriteArrayList<>();
    SessionStore capturing = new SlowStore() {
      @Override
      public CompletableFuture<Void> set(String key, byte[] value, Duration ttl) {
        ttls.add(ttl);
        return CompletableFuture.completedFuture(null);
      }
    };
    SessionCache cache = TestKeys.builderA(clock, capturing).build();
    cache.put(id, state, inMinutes(10));
    assertThat(ttls).containsExactly(Duration.ofMinutes(10));
    assertThat(DefaultSessionCache.clampTtl(Duration.ofMillis(10))).isEqualTo(Duration.ofSeconds(1));
    assertThat(DefaultSessionCache.clampTtl(Duration.ofDays(40)))
        .isEqualTo(Duration.ofDays(30).minusSeconds(1));
    assertThat(DefaultSessionCache.clampTtl(Duration.ofHours(2))).isEqualTo(Duration.ofHours(2));
  }
}
