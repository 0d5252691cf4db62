package io.github.shredcache.core.internal;

import io.github.shredcache.core.OpenFailure;
import java.security.GeneralSecurityException;

/** A sealed entry that cannot be used; {@link #failure()} says why (for the counters). */
public final class SealedEntryException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  private final OpenFailure failure;

  public SealedEntryException(OpenFailure failure, String message) {
    super(message);
    this.failure = failure;
  }

  public SealedEntryException(OpenFailure failure, String message, Throwable cause) {
    super(message, cause);
    this.failure = failure;
  }

  /** Returns the counted cause. */
  public OpenFailure failure() {
    return failure;
  }
}
