package io.github.shredcache.core;

import java.util.Arrays;
import javax.security.auth.Destroyable;

/**
 * The TLS session ticket keys of one epoch (RFC 5077 layout as OpenSSL and BoringSSL use it): a
 * 16-byte key name, a 16-byte HMAC-SHA256 key and a 16-byte AES-128 key, each derived from the
 * epoch's ratchet state under its own label. Accessors return copies; {@link #destroy()} zeroizes.
 *
 * <p>Made by {@link KeyRatchet#ticketKeys()}; the caller owns it. Not thread-safe.
 */
public final class TicketKeyMaterial implements Destroyable {
  /** The size of each of the three parts. */
  public static final int PART_SIZE_BYTES = 16;

  private final long epoch;
  private final byte[] name;
  private final byte[] hmacKey;
  private final byte[] aesKey;
  private volatile boolean destroyed;

  /** Takes ownership of the three arrays. */
  TicketKeyMaterial(long epoch, byte[] name, byte[] hmacKey, byte[] aesKey) {
    this.epoch = epoch;
    this.name = name;
    this.hmacKey = hmacKey;
    this.aesKey = aesKey;
  }

  /** Returns the epoch these keys belong to. */
  public long epoch() {
    return epoch;
  }

  /** Returns a copy of the 16-byte key name (not secret: it travels in every ticket). */
  public byte[] name() {
    checkLive();
    return name.clone();
  }

  /** Returns a copy of the 16-byte HMAC key. */
  public byte[] hmacKey() {
    checkLive();
    return hmacKey.clone();
  }

  /** Returns a copy of the 16-byte AES key. */
  public byte[] aesKey() {
    checkLive();
    return aesKey.clone();
  }

  /** Overwrites the three parts with zeros. Idempotent. */
  @Override
  public void destroy() {
    Arrays.fill(name, (byte) 0);
    Arrays.fill(hmacKey, (byte) 0);
    Arrays.fill(aesKey, (byte) 0);
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "TicketKeyMaterial[epoch=" + epoch + ", redacted" + (destroyed ? ", destroyed" : "") + "]";
  }

  private void checkLive() {
    if (destroyed) {
      throw new IllegalStateException("ticket keys were destroyed");
    }
  }
}
