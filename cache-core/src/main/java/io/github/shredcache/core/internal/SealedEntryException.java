package io.github.shredcache.core.internal;

import java.security.GeneralSecurityException;

/** A sealed entry that cannot be used; {@link #failure()} says why (for the counters). */
public final class SealedEntryException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  /** Why an entry was not used (the public counters mirror these one to one). */
  public enum Failure {
    /** Not a sealed entry of a version we read: wrong version byte, a length out of bounds. */
    MALFORMED,
    /** Larger than {@link SealedEntry#MAX_SIZE_BYTES}. */
    OVERSIZED,
    /** The AEAD tag did not verify. */
    AUTHENTICATION,
    /** Its epoch's key is no longer held or is more than one epoch ahead. */
    EPOCH_OUTSIDE_WINDOW,
    /** The authenticated expiry time has passed. */
    EXPIRED
  }

  private final Failure failure;

  public SealedEntryException(Failure failure, String message) {
    super(message);
    this.failure = failure;
  }

  public SealedEntryException(Failure failure, String message, Throwable cause) {
    super(message, cause);
    this.failure = failure;
  }

  /** Returns the counted cause. */
  public Failure failure() {
    return failure;
  }
}
