package io.github.shredcache.core;

import io.github.shredcache.core.internal.SealedEntry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The shared backend behind a {@link SessionCache}: an asynchronous key-value store of opaque,
 * already sealed bytes.
 *
 * <p>Implementations must be thread-safe and must never block the calling thread on the network:
 * every method returns at once and completes its future later, within a bound the store documents
 * (its operation timeout): that bound is the one store budget of a TLS handshake's lookup, since
 * {@link SessionCache#lookup} adds no timer of its own unless {@link
 * SessionCacheBuilder#lookupTimeout} is set. A future may complete exceptionally (outage,
 * timeout); {@link SessionCache} turns that into a miss and counts it. Keep the completing
 * thread's work short: the cache opens a hit (about a microsecond) on it.
 *
 * <p>Keys are printable ASCII without spaces or control characters, at most 250 bytes (memcached's
 * limit), made by {@link SessionCache}; values are at most {@link #MAX_VALUE_BYTES}. A store may
 * drop any entry at any time: a miss is always a legal answer.
 */
public interface SessionStore extends AutoCloseable {
  /** The largest value a {@link SessionCache} writes or accepts on read. */
  int MAX_VALUE_BYTES = SealedEntry.MAX_SIZE_BYTES;

  /** Completes with the value stored under {@code key}, or empty if there is none. */
  CompletableFuture<Optional<byte[]>> get(String key);

  /**
   * Stores {@code value} under {@code key} for at most {@code ttl} (best-effort: the store may
   * drop it earlier). Completes when the store acknowledged the write.
   */
  CompletableFuture<Void> set(String key, byte[] value, Duration ttl);

  /** Deletes {@code key}; completes with whether the key existed. */
  CompletableFuture<Boolean> delete(String key);

  /** Releases connections and threads. Pending futures complete (possibly exceptionally). */
  @Override
  default void close() {}
}
