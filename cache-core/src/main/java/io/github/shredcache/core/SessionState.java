package io.github.shredcache.core;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.Destroyable;

/**
 * Serialized TLS session state (master secret included), owned by whoever holds this object.
 *
 * <p>The owner must call {@link #destroy()} when done; it overwrites the bytes with zeros. {@link
 * #toString()} never shows the bytes. Not thread-safe: hand it to one thread at a time.
 */
public final class SessionState implements Destroyable {
  /** Where a session's state came from. */
  public enum Source {
    /** Put into the cache on this node (a full handshake happened here). */
    LOCAL,
    /** Fetched from the shared store: sealed by some node of the cluster, possibly another one. */
    STORE
  }

  private final byte[] bytes;
  private final Instant expiresAt;
  private final Source source;
  private volatile boolean destroyed;

  private SessionState(byte[] bytes, Instant expiresAt, Source source) {
    this.bytes = bytes;
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.source = Objects.requireNonNull(source, "source");
  }

  /** Returns a new state holding a copy of {@code bytes}; the caller still owns {@code bytes}. */
  public static SessionState copyOf(byte[] bytes, Instant expiresAt, Source source) {
    return new SessionState(bytes.clone(), expiresAt, source);
  }

  /**
   * Returns a new state that takes ownership of {@code bytes} (no copy): the caller must not use
   * or keep {@code bytes} afterwards. For code that has just decrypted or assembled the array.
   */
  public static SessionState adopt(byte[] bytes, Instant expiresAt, Source source) {
    return new SessionState(Objects.requireNonNull(bytes, "bytes"), expiresAt, source);
  }

  /**
   * Returns a copy of the state bytes; the caller owns the copy and should zero it when done.
   *
   * @throws IllegalStateException if this state was destroyed
   */
  public byte[] toByteArray() {
    checkLive();
    return bytes.clone();
  }

  /** Returns a new, independent state with a copy of the bytes (the caller owns and destroys it). */
  public SessionState copy() {
    checkLive();
    return new SessionState(bytes.clone(), expiresAt, source);
  }

  /** Returns the number of state bytes. */
  public int lengthBytes() {
    return bytes.length;
  }

  /** Returns the absolute time after which this state must not be used to resume. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Returns where this state came from. */
  public Source source() {
    return source;
  }

  /** Overwrites the state bytes with zeros. Idempotent. */
  @Override
  public void destroy() {
    Arrays.fill(bytes, (byte) 0);
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  /** For tests that prove zeroization: the live array, not a copy. Never hand it out. */
  byte[] internalBytesForTesting() {
    return bytes;
  }

  private void checkLive() {
    if (destroyed) {
      throw new IllegalStateException("session state was destroyed");
    }
  }

  @Override
  public String toString() {
    return "SessionState[" + bytes.length + " bytes, redacted, " + source + ", expires " + expiresAt
        + (destroyed ? ", destroyed" : "") + "]";
  }
}
