package io.github.shredcache.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import io.github.shredcache.core.internal.SealedEntry;
import io.github.shredcache.core.internal.SealedEntryException;
import io.github.shredcache.core.internal.SealingKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The {@link SessionCache}: a Caffeine front cache of plaintext {@link SessionState}s (zeroized by
 * the removal listener) over a {@link SessionStore} of {@link SealedEntry sealed entries}.
 *
 * <p>Time: every "now" comes from the injected clock, adapted to Caffeine's ticker. Store latency
 * is measured with {@link System#nanoTime()} (a duration, not a reading of "now").
 *
 * <p>Known race, by design: a lookup whose store read was in flight while {@link #invalidate} ran
 * may put the session back into this front cache for at most the front-cache TTL, as another
 * node's front cache would keep it.
 */
final class DefaultSessionCache implements SessionCache {
  /** memcached reads a TTL of 30 days or more as an absolute time: stay below. */
  static final Duration MAX_STORE_TTL = Duration.ofDays(30).minusSeconds(1);
  static final Duration MIN_STORE_TTL = Duration.ofSeconds(1);

  private final KeyRatchet keys;
  private final SessionStore store;
  private final String namespace;
  private final SealedEntry.Binding binding;
  private final Duration maxSessionLifetime;
  private final long frontCacheTtlNanos;
  private final long lookupTimeoutNanos;
  private final InstantSource clock;
  private final Cache<SessionId, SessionState> front;
  private volatile boolean closed;

  private final LongAdder localHits = new LongAdder();
  private final LongAdder storeHits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder invalidations = new LongAdder();
  private final LongAdder storeErrors = new LongAdder();
  private final LongAdder storeTimeouts = new LongAdder();
  private final LongAdder storeLookups = new LongAdder();
  private final LongAdder storeLatencyNanos = new LongAdder();
  private final Map<OpenFailure, LongAdder> openFailures = new EnumMap<>(OpenFailure.class);

  DefaultSessionCache(
      KeyRatchet keys,
      SessionStore store,
      String namespace,
      Duration maxSessionLifetime,
      long frontCacheMaximumSize,
      Duration frontCacheTtl,
      @Nullable Duration lookupTimeout,
      InstantSource clock,
      boolean systemClock,
      Executor executor) {
    this.keys = keys;
    this.store = store;
    this.namespace = namespace;
    this.binding = SealedEntry.bindTo(namespace.getBytes(StandardCharsets.US_ASCII));
    this.maxSessionLifetime = maxSessionLifetime;
    this.frontCacheTtlNanos = saturatedNanos(frontCacheTtl);
    this.lookupTimeoutNanos = lookupTimeout == null ? 0 : saturatedNanos(lookupTimeout);
    this.clock = clock;
    for (OpenFailure f : OpenFailure.values()) {
      openFailures.put(f, new LongAdder());
    }
    Caffeine<Object, Object> builder =
        Caffeine.newBuilder()
            .maximumSize(frontCacheMaximumSize)
            .executor(executor)
            .ticker(() -> nanosOf(clock.instant()));
    if (systemClock) {
      // Expired plaintext is zeroized promptly, not at the next cache activity; the timers run on
      // the key ratchet's scheduler (the one mechanism that also erases old epoch keys).
      builder.scheduler(Scheduler.forScheduledExecutorService(keys.scheduler()));
    }
    this.front =
        builder
            .expireAfter(new FrontExpiry())
            .<SessionId, SessionState>removalListener(DefaultSessionCache::onRemoval)
            .build();
  }

  @Override
  public void put(SessionId id, byte[] state, Instant expiresAt) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    long nowSeconds = now.getEpochSecond();
    long expires = Math.min(expiresAt.getEpochSecond(), now.plus(maxSessionLifetime).getEpochSecond());
    if (expires <= nowSeconds) {
      return; // already expired: nothing to resume
    }
    puts.increment();
    front.put(id, SessionState.copyOf(state, Instant.ofEpochSecond(expires), SessionState.Source.LOCAL));
    try {
      byte[] sealed = seal(id, state, expires);
      if (sealed == null) {
        storeErrors.increment(); // key use limit reached: keep it local only until the next epoch
        return;
      }
      Duration ttl = clampTtl(Duration.ofSeconds(expires - nowSeconds));
      store.set(storeKey(id), sealed, ttl).whenComplete((v, err) -> {
        if (err != null) {
          storeErrors.increment();
        }
      });
    } catch (GeneralSecurityException | RuntimeException e) {
      storeErrors.increment();
    }
  }

  @Override
  public CompletableFuture<LookupResult> lookup(SessionId id) {
    try {
      Objects.requireNonNull(id, "id");
      if (closed) {
        misses.increment();
        return CompletableFuture.completedFuture(LookupResult.MISS);
      }
      SessionState local = front.getIfPresent(id);
      if (local != null && !local.isDestroyed() && clock.instant().isBefore(local.expiresAt())) {
        localHits.increment();
        return CompletableFuture.completedFuture(LookupResult.LOCAL_HIT);
      }
      long start = System.nanoTime();
      CompletableFuture<Optional<byte[]>> get = store.get(storeKey(id));
      if (lookupTimeoutNanos > 0 && !get.isDone()) {
        get = get.copy().orTimeout(lookupTimeoutNanos, TimeUnit.NANOSECONDS);
      }
      // Opening is about a microsecond of AES-GCM: it runs on the thread that completes the
      // store's future, with no hop to another executor.
      return get.handle((value, err) -> {
        try {
          return onStoreResult(id, value, err, start);
        } catch (RuntimeException e) {
          storeErrors.increment();
          misses.increment();
          return LookupResult.MISS;
        }
      });
    } catch (RuntimeException e) {
      storeErrors.increment();
      misses.increment();
      return CompletableFuture.completedFuture(LookupResult.MISS);
    }
  }

  @Override
  public Duration maxSessionLifetime() {
    return maxSessionLifetime;
  }

  @Override
  public Optional<SessionState> peek(SessionId id) {
    Objects.requireNonNull(id, "id");
    if (closed) {
      return Optional.empty();
    }
    SessionState s = front.getIfPresent(id);
    if (s == null) {
      return Optional.empty();
    }
    SessionState copy;
    synchronized (s) { // the removal listener destroys under the same lock
      if (s.isDestroyed() || !clock.instant().isBefore(s.expiresAt())) {
        return Optional.empty();
      }
      copy = s.copy();
    }
    localHits.increment();
    return Optional.of(copy);
  }

  @Override
  public CompletableFuture<Boolean> invalidate(SessionId id) {
    Objects.requireNonNull(id, "id");
    front.invalidate(id);
    invalidations.increment();
    try {
      return store.delete(storeKey(id)).handle((existed, err) -> {
        if (err != null) {
          storeErrors.increment();
          return false;
        }
        return Boolean.TRUE.equals(existed);
      });
    } catch (RuntimeException e) {
      storeErrors.increment();
      return CompletableFuture.completedFuture(false);
    }
  }

  @Override
  public CacheStats stats() {
    Map<OpenFailure, Long> failures = new EnumMap<>(OpenFailure.class);
    openFailures.forEach((k, v) -> failures.put(k, v.sum()));
    long epoch;
    long seals;
    try {
      epoch = keys.currentEpoch();
      seals = keys.sealsInCurrentEpoch();
    } catch (IllegalStateException closedRatchet) {
      epoch = -1;
      seals = 0;
    }
    return new CacheStats(
        localHits.sum(),
        storeHits.sum(),
        misses.sum(),
        puts.sum(),
        invalidations.sum(),
        failures,
        storeErrors.sum(),
        storeTimeouts.sum(),
        storeLookups.sum(),
        Duration.ofNanos(storeLatencyNanos.sum()),
        epoch,
        seals);
  }

  @Override
  public void close() {
    closed = true;
    for (SessionState s : front.asMap().values()) {
      destroy(s);
    }
    front.invalidateAll();
    front.cleanUp();
  }

  @Override
  public String toString() {
    return "SessionCache[namespace=" + namespace + ", " + front.estimatedSize() + " local sessions]";
  }

  /** Runs pending Caffeine maintenance (expiry, eviction, removal listeners) now. */
  void cleanUpForTesting() {
    front.cleanUp();
  }

  /** The live front-cache value for {@code id} (not a copy): for zeroization tests. */
  @Nullable SessionState frontValueForTesting(SessionId id) {
    return front.asMap().get(id);
  }

  /** The memcached key: {@code <namespace>:base64url(SHA-256(sessionId))}. */
  String storeKey(SessionId id) {
    return storeKey(namespace, id);
  }

  static String storeKey(String namespace, SessionId id) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.bytesNoCopy());
      return namespace + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  static Duration clampTtl(Duration ttl) {
    if (ttl.compareTo(MIN_STORE_TTL) < 0) {
      return MIN_STORE_TTL;
    }
    return ttl.compareTo(MAX_STORE_TTL) > 0 ? MAX_STORE_TTL : ttl;
  }

  private LookupResult onStoreResult(
      SessionId id, @Nullable Optional<byte[]> value, @Nullable Throwable err, long start) {
    if (err != null) {
      Throwable cause = unwrap(err);
      storeErrors.increment();
      if (cause instanceof TimeoutException) {
        storeTimeouts.increment();
      }
      misses.increment();
      return LookupResult.MISS;
    }
    storeLookups.increment();
    storeLatencyNanos.add(System.nanoTime() - start);
    if (value == null || value.isEmpty()) {
      misses.increment();
      return LookupResult.MISS;
    }
    SessionState opened;
    try {
      opened = open(id, value.get());
    } catch (SealedEntryException e) {
      // The constructor puts a counter for every OpenFailure.
      Objects.requireNonNull(openFailures.get(counted(e.failure()))).increment();
      misses.increment();
      return LookupResult.MISS;
    }
    if (closed) {
      opened.destroy();
      misses.increment();
      return LookupResult.MISS;
    }
    SessionState previous = front.asMap().putIfAbsent(id, opened);
    if (previous != null) {
      opened.destroy(); // a local put won the race; keep it
    }
    storeHits.increment();
    return LookupResult.STORE_HIT;
  }

  /**
   * Seals {@code state} for {@code id} under the current epoch key, or returns null if there is
   * none (a clock jump is being caught up) or it has made its maximum number of seals.
   */
  byte @Nullable [] seal(SessionId id, byte[] state, long expiresAtEpochSecond)
      throws GeneralSecurityException {
    KeyRatchet.EpochKey key = keys.sealingKey();
    if (key == null || !key.tryCountSeal()) {
      return null;
    }
    return SealedEntry.seal(
        key.sealingKey(), key.epoch, expiresAtEpochSecond, binding, id.bytesNoCopy(), state);
  }

  /** Opens a store value for {@code id}: window, expiry, then authentication. */
  SessionState open(SessionId id, byte[] raw) throws SealedEntryException {
    SealedEntry entry = SealedEntry.parse(raw);
    SealingKey sealingKey;
    try {
      KeyRatchet.EpochKey key = keys.openingKey(entry.epoch());
      sealingKey = key == null ? null : key.sealingKey();
    } catch (IllegalStateException erased) {
      sealingKey = null;
    }
    if (sealingKey == null) {
      throw new SealedEntryException(SealedEntryException.Failure.EPOCH_OUTSIDE_WINDOW, "epoch outside the window");
    }
    Instant now = clock.instant();
    if (entry.expiresAtEpochSecond() <= now.getEpochSecond()) {
      throw new SealedEntryException(SealedEntryException.Failure.EXPIRED, "expired");
    }
    byte[] plaintext;
    try {
      plaintext = entry.open(sealingKey, binding, id.bytesNoCopy());
    } catch (IllegalStateException erasedMeanwhile) {
      throw new SealedEntryException(SealedEntryException.Failure.EPOCH_OUTSIDE_WINDOW, "epoch outside the window");
    }
    // A key holder cannot stretch a session past this node's lifetime limit.
    long expires = Math.min(entry.expiresAtEpochSecond(), now.plus(maxSessionLifetime).getEpochSecond());
    return SessionState.adopt(plaintext, Instant.ofEpochSecond(expires), SessionState.Source.STORE);
  }

  private static OpenFailure counted(SealedEntryException.Failure failure) {
    return switch (failure) {
      case MALFORMED -> OpenFailure.MALFORMED;
      case OVERSIZED -> OpenFailure.OVERSIZED;
      case AUTHENTICATION -> OpenFailure.AUTHENTICATION;
      case EPOCH_OUTSIDE_WINDOW -> OpenFailure.EPOCH_OUTSIDE_WINDOW;
      case EXPIRED -> OpenFailure.EXPIRED;
    };
  }

  private static void onRemoval(
      @Nullable SessionId key, @Nullable SessionState value, RemovalCause cause) {
    if (value != null) {
      destroy(value);
    }
  }

  private static void destroy(SessionState s) {
    synchronized (s) {
      s.destroy();
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static long nanosOf(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private final class FrontExpiry implements Expiry<SessionId, SessionState> {
    @Override
    public long expireAfterCreate(SessionId key, SessionState value, long currentTime) {
      long remaining = nanosOf(value.expiresAt()) - currentTime;
      if (value.source() == SessionState.Source.STORE) {
        remaining = Math.min(remaining, frontCacheTtlNanos);
      }
      return Math.max(0, remaining);
    }

    @Override
    public long expireAfterUpdate(
        SessionId key, SessionState value, long currentTime, long currentDuration) {
      return expireAfterCreate(key, value, currentTime);
    }

    @Override
    public long expireAfterRead(
        SessionId key, SessionState value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
