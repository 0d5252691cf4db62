package io.github.shredcache.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster-wide TLS server session cache: a local front cache of plaintext session state in front
 * of a shared {@link SessionStore} that only ever sees sealed entries.
 *
 * <p>Implementations are thread-safe. No method throws because of the store or of what the store
 * holds: tampered, foreign, expired or undecryptable entries, outages and timeouts are all a miss
 * plus a counter in {@link #stats()}. A miss is always a legal answer: treat it as "do a full
 * handshake".
 *
 * <pre>{@code
 * SessionCache cache = SessionCache.builder()
 *     .keys(KeyRatchet.fromToken(token, Duration.ofHours(1), InstantSource.system()))
 *     .store(store)                      // shared by all nodes, e.g. memcached
 *     .namespace("shop-frontend")
 *     .build();
 * }</pre>
 */
public interface SessionCache extends AutoCloseable {

  /** Returns a new builder. */
  static SessionCacheBuilder builder() {
    return new SessionCacheBuilder();
  }

  /**
   * Caches {@code state} for {@code id} until {@code expiresAt}: the front cache keeps a copy, and
   * the entry is sealed under the current epoch key and written to the store asynchronously. The
   * caller keeps ownership of {@code state} (it is copied). Returns at once; never blocks on the
   * store: sealing (microseconds of CPU) runs on the calling thread, the write is asynchronous and
   * its failure is only counted. {@code expiresAt} is capped at now + the maximum session
   * lifetime; a state that has already expired is not cached.
   */
  void put(SessionId id, byte[] state, Instant expiresAt);

  /**
   * Looks {@code id} up in the front cache, then in the store; a store hit is opened, checked and
   * put into the front cache, so that a following {@link #peek} finds it. The future never
   * completes exceptionally. It completes as soon as the store answers, which a {@link
   * SessionStore} does within its own operation timeout (the one store budget of a lookup), or
   * within {@link SessionCacheBuilder#lookupTimeout} if one was set. A store hit is opened on the
   * thread that completes the store's future.
   */
  CompletableFuture<LookupResult> lookup(SessionId id);

  /**
   * Returns the longest a session may be resumed after its full handshake: the one session
   * lifetime from which the TLS context derives its own (see {@link
   * SessionCacheBuilder#maxSessionLifetime}).
   */
  Duration maxSessionLifetime();

  /**
   * Returns a copy of the state cached locally for {@code id}, if any and not expired, without
   * touching the store: safe inside synchronous TLS engine callbacks. The caller owns the copy and
   * must {@link SessionState#destroy()} it. May return empty even after a successful put
   * (eviction, rotation, outage); treat empty as "full handshake".
   */
  Optional<SessionState> peek(SessionId id);

  /**
   * Removes {@code id} locally (zeroizing the plaintext) and deletes it from the store,
   * asynchronously. Completes with whether the store had it; never completes exceptionally.
   */
  CompletableFuture<Boolean> invalidate(SessionId id);

  /** Returns a snapshot of the counters. */
  CacheStats stats();

  /** Zeroizes the front cache. Does not close the store, which the caller owns. */
  @Override
  void close();
}
