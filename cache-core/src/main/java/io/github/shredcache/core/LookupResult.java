package io.github.shredcache.core;

/** Where {@link SessionCache#lookup} found a session, if anywhere. */
public enum LookupResult {
  /** Found in this node's front cache. */
  LOCAL_HIT,
  /** Fetched from the shared store and opened; now in the front cache. */
  STORE_HIT,
  /** Not found, or found but unusable (tampered, expired, outside the key window, store error). */
  MISS
}
