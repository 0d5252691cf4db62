package io.github.shredcache.core;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * The forward-secure epoch key ratchet of a node: holds the ratchet states of the epochs {@code [e
 * - R, e + 1]}, where {@code e} is the current epoch of the clock and {@code R =
 * ceil(maxSessionLifetime / epochLength)}, and derives per-epoch subkeys from them under distinct
 * labels. States that leave the window are zeroized the moment the window moves and can never be
 * derived again: every entry and ticket sealed in their epoch is crypto-shredded.
 *
 * <p>Thread-safe. The window follows the clock on every call; {@link #advance()} moves it
 * explicitly (a scheduler calls it at epoch boundaries so that erasure does not wait for traffic).
 */
public final class KeyRatchet implements AutoCloseable {

  private KeyRatchet() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /**
   * Builds the window from {@code token} (which is destroyed: the node keeps no copy of what it
   * read).
   *
   * @throws IllegalArgumentException if the token is from the future of {@code clock}, or if
   *     {@code maxSessionLifetime} is not positive
   */
  public static KeyRatchet fromToken(KeyToken token, Duration maxSessionLifetime, InstantSource clock) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns the epoch length of the chain. */
  public Duration epochLength() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns the current epoch of the clock. */
  public long currentEpoch() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns the epoch that contains {@code instant}. */
  public long epochOf(Instant instant) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns the first instant of {@code epoch}. */
  public Instant startOf(long epoch) {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Returns R, the number of past epochs kept. */
  public int epochsBehind() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Moves the window to the clock's current epoch now, zeroizing states that leave it. */
  public void advance() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /**
   * Returns TLS session ticket keys for the window: the current epoch's first (it encrypts new
   * tickets), then the other epochs in the window, newest first. The caller owns and destroys them.
   */
  public List<TicketKeyMaterial> ticketKeys() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }

  /** Zeroizes every state held. Later calls fail with {@link IllegalStateException}. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO(issue 2)");
  }
}
