package io.github.shredcache.core;

import javax.security.auth.Destroyable;

/**
 * The TLS session ticket keys of one epoch (RFC 5077 layout as OpenSSL and BoringSSL use it): a
 * 16-byte key name, a 16-byte HMAC-SHA256 key and a 16-byte AES-128 key, each derived from the
 * epoch's ratchet state under its own label. Accessors return copies; {@link #destroy()} zeroizes.
 */
public final class TicketKeyMaterial implements Destroyable {
  private TicketKeyMaterial() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns the epoch these keys belong to. */
  public long epoch() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns a copy of the 16-byte key name (not secret: it travels in every ticket). */
  public byte[] name() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns a copy of the 16-byte HMAC key. */
  public byte[] hmacKey() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns a copy of the 16-byte AES key. */
  public byte[] aesKey() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  @Override
  public void destroy() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }
}
