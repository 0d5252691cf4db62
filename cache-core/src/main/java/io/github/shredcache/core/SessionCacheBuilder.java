package io.github.shredcache.core;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executor;

/**
 * Builds a {@link SessionCache}. Every setting can be set once; {@link #build()} validates them
 * and fails with a message that says the fix.
 *
 * <p>Required: {@link #keys}. Defaults: an in-memory store private to this cache, namespace
 * {@code "default"}, maximum session lifetime 1 hour (capped by what the key window allows), a
 * front cache of 10,000 sessions whose entries live at most 60 seconds after their last store
 * read, a 50 ms lookup timeout, the system clock, and {@code ForkJoinPool.commonPool()}.
 */
public final class SessionCacheBuilder {
  SessionCacheBuilder() {}

  /** The key ratchet that seals and opens entries. Required. */
  public SessionCacheBuilder keys(KeyRatchet keys) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** The shared store. */
  public SessionCacheBuilder store(SessionStore store) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /**
   * The cluster namespace: caches only open entries of their own namespace. 1 to 64 characters of
   * {@code [A-Za-z0-9._-]}.
   */
  public SessionCacheBuilder namespace(String namespace) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** The longest a session may be resumed after its full handshake. */
  public SessionCacheBuilder maxSessionLifetime(Duration lifetime) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** The most sessions the front cache holds. */
  public SessionCacheBuilder frontCacheMaximumSize(long sessions) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /**
   * How long a session fetched from the store stays in the front cache (never past its own
   * expiry): bounds how long an invalidation on another node goes unnoticed here.
   */
  public SessionCacheBuilder frontCacheTtl(Duration ttl) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** How long {@link SessionCache#lookup} waits for the store before answering a miss. */
  public SessionCacheBuilder lookupTimeout(Duration timeout) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** The clock (for tests: a fake one). */
  public SessionCacheBuilder clock(InstantSource clock) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Runs removal listeners and store callbacks (for tests: a direct executor). */
  public SessionCacheBuilder executor(Executor executor) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns an immutable, thread-safe cache. */
  public SessionCache build() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }
}
