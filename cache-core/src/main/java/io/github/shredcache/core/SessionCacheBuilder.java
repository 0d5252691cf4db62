package io.github.shredcache.core;

import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link SessionCache}. Every setting can be set once (a second call throws {@link
 * IllegalStateException}); {@link #build()} validates them and fails with a message that says the
 * fix.
 *
 * <p>Required: {@link #keys}. Defaults: an in-memory store private to this cache, namespace
 * {@code "default"}, the key ratchet's maximum session lifetime (the one place the lifetime is
 * set: the ratchet sizes its key window from it, this cache and the TLS context derive theirs from
 * it), a front cache of 10,000 sessions whose entries live at most 60 seconds after their last
 * store read, no lookup timeout of its own (the store's operation timeout is the budget), the key
 * ratchet's clock, and the calling thread for the front cache's maintenance and removal listeners.
 *
 * <p>Not thread-safe; the cache it builds is.
 */
public final class SessionCacheBuilder {
  static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  static final Duration MAX_LIFETIME = Duration.ofDays(30);
  static final long DEFAULT_FRONT_CACHE_SIZE = 10_000;
  static final Duration DEFAULT_FRONT_CACHE_TTL = Duration.ofSeconds(60);

  // Null until set; build() fills in the defaults.
  @Nullable KeyRatchet keys;
  @Nullable SessionStore store;
  @Nullable String namespace;
  @Nullable Duration maxSessionLifetime;
  long frontCacheMaximumSize = -1;
  @Nullable Duration frontCacheTtl;
  @Nullable Duration lookupTimeout;
  @Nullable InstantSource clock;
  @Nullable Executor executor;

  SessionCacheBuilder() {}

  /** The key ratchet that seals and opens entries. Required. Not closed by the cache. */
  public SessionCacheBuilder keys(KeyRatchet keys) {
    requireUnset(this.keys, "keys");
    this.keys = Objects.requireNonNull(keys, "keys");
    return this;
  }

  /** The shared store. Not closed by the cache. */
  public SessionCacheBuilder store(SessionStore store) {
    requireUnset(this.store, "store");
    this.store = Objects.requireNonNull(store, "store");
    return this;
  }

  /**
   * The cluster namespace: caches only open entries of their own namespace. 1 to 64 characters of
   * {@code [A-Za-z0-9._-]}.
   *
   * @throws IllegalArgumentException if it has other characters or length
   */
  public SessionCacheBuilder namespace(String namespace) {
    requireUnset(this.namespace, "namespace");
    Objects.requireNonNull(namespace, "namespace");
    if (!NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          "namespace must be 1 to 64 characters of [A-Za-z0-9._-], was '" + namespace + "'");
    }
    this.namespace = namespace;
    return this;
  }

  /**
   * The longest a session may be resumed after its full handshake: positive, at most 30 days and
   * at most the key ratchet's {@link KeyRatchet#maxSessionLifetime()}. Default: the ratchet's, so
   * set it there once; set it here only to make this cache's sessions shorter.
   */
  public SessionCacheBuilder maxSessionLifetime(Duration lifetime) {
    requireUnset(this.maxSessionLifetime, "maxSessionLifetime");
    Objects.requireNonNull(lifetime, "lifetime");
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException(
          "maxSessionLifetime must be positive and at most 30 days (memcached's relative TTL limit),"
              + " was " + lifetime);
    }
    this.maxSessionLifetime = lifetime;
    return this;
  }

  /** The most sessions the front cache holds (positive). */
  public SessionCacheBuilder frontCacheMaximumSize(long sessions) {
    if (frontCacheMaximumSize != -1) {
      throw new IllegalStateException(
          String.format("frontCacheMaximumSize was already set to %s", frontCacheMaximumSize));
    }
    if (sessions < 1) {
      throw new IllegalArgumentException(
          "frontCacheMaximumSize must be at least 1 session, was " + sessions);
    }
    this.frontCacheMaximumSize = sessions;
    return this;
  }

  /**
   * How long a session fetched from the store stays in the front cache (never past its own
   * expiry): bounds how long an invalidation on another node goes unnoticed here. Positive.
   */
  public SessionCacheBuilder frontCacheTtl(Duration ttl) {
    requireUnset(this.frontCacheTtl, "frontCacheTtl");
    this.frontCacheTtl = requirePositive(ttl, "frontCacheTtl", "PT60S");
    return this;
  }

  /**
   * An extra cap on how long {@link SessionCache#lookup} waits for the store before answering a
   * miss, for a store that does not bound its own operations. Unset by default: a lookup then
   * waits exactly the store's own operation timeout (one timer, not two). Positive.
   */
  public SessionCacheBuilder lookupTimeout(Duration timeout) {
    requireUnset(this.lookupTimeout, "lookupTimeout");
    this.lookupTimeout = requirePositive(timeout, "lookupTimeout", "PT0.05S");
    return this;
  }

  /**
   * The clock of session expiry (for tests: a fake one). Defaults to the key ratchet's clock; use
   * the same clock for both.
   */
  public SessionCacheBuilder clock(InstantSource clock) {
    requireUnset(this.clock, "clock");
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Runs the front cache's maintenance and removal listeners (which zeroize). Default: the thread
   * that triggered them ({@code Runnable::run}): that work is a few microseconds, amortized, and
   * handing it to a pool costs a thread wake-up per front-cache insert, which on a store hit is
   * on the lookup's critical path (about 20 µs of a 70 µs lookup, measured). Caffeine starts
   * maintenance after a write only if its lock is free (a try-lock), so a caller does not wait for
   * another's maintenance. Store hits are opened on the thread that completes the store's future.
   */
  public SessionCacheBuilder executor(Executor executor) {
    requireUnset(this.executor, "executor");
    this.executor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Returns an immutable, thread-safe cache.
   *
   * @throws IllegalStateException if {@link #keys} was not set, or the maximum session lifetime is
   *     longer than the key window covers
   */
  public SessionCache build() {
    if (keys == null) {
      throw new IllegalStateException(
          "keys are required: call keys(KeyRatchet.fromToken(KeyToken.parse(token, clock),"
              + " maxSessionLifetime, clock)) with a token made by 'keys init'");
    }
    Duration windowLifetime = keys.maxSessionLifetime();
    Duration lifetime = maxSessionLifetime;
    if (lifetime == null) {
      lifetime = windowLifetime.compareTo(MAX_LIFETIME) <= 0 ? windowLifetime : MAX_LIFETIME;
    } else if (lifetime.compareTo(windowLifetime) > 0) {
      throw new IllegalStateException(
          "maxSessionLifetime " + lifetime + " is longer than the key window covers ("
              + windowLifetime + "): set the lifetime once, in KeyRatchet.fromToken(token, "
              + lifetime + ", clock), and leave maxSessionLifetime unset here");
    }
    return new DefaultSessionCache(
        keys,
        store != null ? store : new InMemorySessionStore(clock != null ? clock : keys.clock()),
        namespace != null ? namespace : "default",
        lifetime,
        frontCacheMaximumSize != -1 ? frontCacheMaximumSize : DEFAULT_FRONT_CACHE_SIZE,
        frontCacheTtl != null ? frontCacheTtl : DEFAULT_FRONT_CACHE_TTL,
        lookupTimeout,
        clock != null ? clock : keys.clock(),
        isSystemClock(clock != null ? clock : keys.clock()),
        executor != null ? executor : Runnable::run);
  }

  private static boolean isSystemClock(InstantSource clock) {
    return clock == InstantSource.system()
        || (clock instanceof Clock && clock.getClass() == Clock.systemUTC().getClass());
  }

  private static void requireUnset(@Nullable Object current, String name) {
    if (current != null) {
      throw new IllegalStateException(String.format("%s was already set to %s", name, current));
    }
  }

  private static Duration requirePositive(Duration value, String name, String example) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          name + " must be positive (e.g. " + example + "), was " + value);
    }
    return value;
  }
}
