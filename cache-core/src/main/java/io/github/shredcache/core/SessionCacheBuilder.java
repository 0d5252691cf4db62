package io.github.shredcache.core;

import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.regex.Pattern;

/**
 * Builds a {@link SessionCache}. Every setting can be set once (a second call throws {@link
 * IllegalStateException}); {@link #build()} validates them and fails with a message that says the
 * fix.
 *
 * <p>Required: {@link #keys}. Defaults: an in-memory store private to this cache, namespace
 * {@code "default"}, maximum session lifetime 1 hour (capped by what the key window allows), a
 * front cache of 10,000 sessions whose entries live at most 60 seconds after their last store
 * read, a 50 ms lookup timeout, the key ratchet's clock, and {@code ForkJoinPool.commonPool()}.
 *
 * <p>Not thread-safe; the cache it builds is.
 */
public final class SessionCacheBuilder {
  static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  static final Duration MAX_LIFETIME = Duration.ofDays(30);
  static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
  static final long DEFAULT_FRONT_CACHE_SIZE = 10_000;
  static final Duration DEFAULT_FRONT_CACHE_TTL = Duration.ofSeconds(60);
  static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofMillis(50);

  KeyRatchet keys;
  SessionStore store;
  String namespace;
  Duration maxSessionLifetime;
  long frontCacheMaximumSize = -1;
  Duration frontCacheTtl;
  Duration lookupTimeout;
  InstantSource clock;
  Executor executor;

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
   * at most the key ratchet's {@link KeyRatchet#maxSessionLifetime()}.
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

  /** How long {@link SessionCache#lookup} waits for the store before answering a miss. Positive. */
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
   * Runs removal listeners (which zeroize), opening of store results and store callbacks (for
   * tests: a direct executor {@code Runnable::run}).
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
      lifetime = DEFAULT_LIFETIME.compareTo(windowLifetime) <= 0 ? DEFAULT_LIFETIME : windowLifetime;
      if (lifetime.compareTo(MAX_LIFETIME) > 0) {
        lifetime = MAX_LIFETIME;
      }
    } else if (lifetime.compareTo(windowLifetime) > 0) {
      throw new IllegalStateException(
          "maxSessionLifetime " + lifetime + " is longer than the key window covers ("
              + windowLifetime + "): build the KeyRatchet with a maxSessionLifetime of at least "
              + lifetime + ", or lower this one");
    }
    return new DefaultSessionCache(
        keys,
        store != null ? store : new InMemorySessionStore(clock != null ? clock : keys.clock()),
        namespace != null ? namespace : "default",
        lifetime,
        frontCacheMaximumSize != -1 ? frontCacheMaximumSize : DEFAULT_FRONT_CACHE_SIZE,
        frontCacheTtl != null ? frontCacheTtl : DEFAULT_FRONT_CACHE_TTL,
        lookupTimeout != null ? lookupTimeout : DEFAULT_LOOKUP_TIMEOUT,
        clock != null ? clock : keys.clock(),
        isSystemClock(clock != null ? clock : keys.clock()),
        executor != null ? executor : ForkJoinPool.commonPool());
  }

  private static boolean isSystemClock(InstantSource clock) {
    return clock == InstantSource.system()
        || (clock instanceof Clock && clock.getClass() == Clock.systemUTC().getClass());
  }

  private static void requireUnset(Object current, String name) {
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
