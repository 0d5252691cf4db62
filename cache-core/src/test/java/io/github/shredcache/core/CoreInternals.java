package io.github.shredcache.core;

import java.security.GeneralSecurityException;
import java.time.Instant;

/**
 * Reaches package-private parts of cache-core from other modules' tests and from the JMH
 * benchmarks (through cache-core's test-jar). Not API: free to change.
 */
public final class CoreInternals {
  private CoreInternals() {}

  /** Seals {@code state} exactly as {@link SessionCache#put} does before the store write. */
  public static byte[] seal(SessionCache cache, SessionId id, byte[] state, Instant expiresAt)
      throws GeneralSecurityException {
    byte[] sealed = ((DefaultSessionCache) cache).seal(id, state, expiresAt.getEpochSecond());
    if (sealed == null) {
      throw new GeneralSecurityException("seal limit reached");
    }
    return sealed;
  }

  /** Opens a store value exactly as {@link SessionCache#lookup} does (window, expiry, AEAD). */
  public static SessionState open(SessionCache cache, SessionId id, byte[] sealed)
      throws GeneralSecurityException {
    return ((DefaultSessionCache) cache).open(id, sealed);
  }

  /** The memcached key the cache uses for {@code id}. */
  public static String storeKey(SessionCache cache, SessionId id) {
    return ((DefaultSessionCache) cache).storeKey(id);
  }

  /** Runs pending front-cache maintenance (expiry, eviction, zeroizing removal listeners) now. */
  public static void cleanUp(SessionCache cache) {
    ((DefaultSessionCache) cache).cleanUpForTesting();
  }

  /** The live plaintext array of the front-cache entry of {@code id}, or null: for zeroization tests. */
  public static byte[] liveFrontBytes(SessionCache cache, SessionId id) {
    SessionState s = ((DefaultSessionCache) cache).frontValueForTesting(id);
    return s == null ? null : s.internalBytesForTesting();
  }
}
