package io.github.shredcache.core;

/** Why an entry read from the store was not used; each is counted in {@link CacheStats}. */
public enum OpenFailure {
  /** Not a sealed entry of a version we read: wrong version byte, a length out of bounds. */
  MALFORMED,
  /** Larger than {@link SessionStore#MAX_VALUE_BYTES}. */
  OVERSIZED,
  /**
   * The AEAD tag did not verify: tampered, moved to another session ID, from another namespace or
   * another key chain. These causes are indistinguishable by design.
   */
  AUTHENTICATION,
  /** Its epoch's key is no longer held (erased: crypto-shredded) or is more than one epoch ahead. */
  EPOCH_OUTSIDE_WINDOW,
  /** The authenticated expiry time has passed. */
  EXPIRED
}
