package io.github.shredcache.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A TLS session identifier: 1 to 32 opaque bytes chosen by the server.
 *
 * <p>Immutable and thread-safe. The bytes are copied on the way in and on the way out. {@link
 * #toString()} shows only a short hash, so identifiers can be logged without making them usable
 * as lookup handles by whoever reads the log.
 */
public final class SessionId {
  /** The largest session ID TLS allows (RFC 5246, section 7.4.1.2). */
  public static final int MAX_LENGTH_BYTES = 32;

  private final byte[] bytes;
  private final int hash;

  private SessionId(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /**
   * Returns the session ID with a copy of {@code bytes}.
   *
   * @throws IllegalArgumentException if {@code bytes} is empty or longer than 32 bytes
   */
  public static SessionId of(byte[] bytes) {
    if (bytes == null) {
      throw new NullPointerException("bytes");
    }
    if (bytes.length == 0 || bytes.length > MAX_LENGTH_BYTES) {
      throw new IllegalArgumentException(
          "a TLS session ID has 1 to 32 bytes, was " + bytes.length);
    }
    return new SessionId(bytes.clone());
  }

  /** Returns a copy of the identifier's bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** The live array (not a copy), for read-only use inside this package. */
  byte[] bytesNoCopy() {
    return bytes;
  }

  /** Returns the number of bytes in this identifier. */
  public int lengthBytes() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SessionId && Arrays.equals(bytes, ((SessionId) o).bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Returns {@code SessionId[<first 4 bytes of SHA-256, hex>]}, never the identifier itself. */
  @Override
  public String toString() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "SessionId[" + HexFormat.of().formatHex(digest, 0, 4) + "]";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
