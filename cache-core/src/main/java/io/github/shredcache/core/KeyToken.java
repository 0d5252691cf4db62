package io.github.shredcache.core;

import java.time.Duration;
import java.time.InstantSource;
import javax.security.auth.Destroyable;

/**
 * A provisioning token: the ratchet state of one epoch, {@code
 * sc1:<epochSeconds>:<epoch>:<base64url(S_epoch)>}. Whoever holds a token can derive the keys of
 * its epoch and every later one, so a token's age bounds forward secrecy: advance stored copies at
 * least once per epoch.
 *
 * <p>Owns the 32 state bytes; {@link #destroy()} zeroizes them. {@link #toString()} is redacted.
 * Not thread-safe.
 */
public final class KeyToken implements Destroyable {
  /** The token prefix and format version. */
  public static final String PREFIX = "sc1";
  /** The size of a ratchet state. */
  public static final int STATE_SIZE_BYTES = 32;

  private KeyToken() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /**
   * Parses an encoded token (surrounding white space is ignored).
   *
   * @throws IllegalArgumentException naming what is wrong (prefix, field count, epoch length,
   *     base64, state length, an epoch in the future of {@code clock}) and never echoing the secret
   */
  public static KeyToken parse(CharSequence encoded, InstantSource clock) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Makes a new random chain starting at the current epoch of {@code clock}. */
  public static KeyToken generate(Duration epochLength, InstantSource clock) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /**
   * Returns a new token ratcheted forward to {@code epoch}; this one is left as it was.
   *
   * @throws IllegalArgumentException if {@code epoch} is before this token's epoch
   */
  public KeyToken advanceTo(long epoch) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns the token's text form. The caller owns the secret in the returned string. */
  public String encode() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns the epoch length this chain was made with. */
  public Duration epochLength() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns this token's epoch number: floor(unixSeconds / epochSeconds). */
  public long epoch() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  @Override
  public void destroy() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }
}
