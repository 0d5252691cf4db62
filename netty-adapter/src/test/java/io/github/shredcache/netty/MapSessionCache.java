package io.github.shredcache.netty;

import io.github.shredcache.core.CacheStats;
import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.core.SessionState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A unit-test double of {@link SessionCache}: a map, no sealing, no store. */
final class MapSessionCache implements SessionCache {
  final Map<SessionId, SessionState> map = new ConcurrentHashMap<>();
  final AtomicInteger puts = new AtomicInteger();
  final AtomicInteger invalidations = new AtomicInteger();
  volatile SessionState.Source source = SessionState.Source.LOCAL;

  @Override
  public java.time.Duration maxSessionLifetime() {
    return java.time.Duration.ofHours(1);
  }

  @Override
  public void put(SessionId id, byte[] state, Instant expiresAt) {
    puts.incrementAndGet();
    map.put(id, SessionState.copyOf(state, expiresAt, source));
  }

  @Override
  public CompletableFuture<LookupResult> lookup(SessionId id) {
    return CompletableFuture.completedFuture(
        map.containsKey(id) ? LookupResult.LOCAL_HIT : LookupResult.MISS);
  }

  @Override
  public Optional<SessionState> peek(SessionId id) {
    SessionState s = map.get(id);
    return s == null ? Optional.empty() : Optional.of(s.copy());
  }

  @Override
  public CompletableFuture<Boolean> invalidate(SessionId id) {
    invalidations.incrementAndGet();
    SessionState s = map.remove(id);
    if (s != null) {
      s.destroy();
    }
    return CompletableFuture.completedFuture(s != null);
  }

  @Override
  public CacheStats stats() {
    return new CacheStats(0, 0, 0, puts.get(), invalidations.get(), Map.of(), 0, 0, 0,
        Duration.ZERO, 0, 0);
  }

  @Override
  public void close() {
    map.values().forEach(SessionState::destroy);
    map.clear();
  }
}
