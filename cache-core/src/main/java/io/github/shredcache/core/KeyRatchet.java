package io.github.shredcache.core;

import io.github.shredcache.core.internal.Kdf;
import io.github.shredcache.core.internal.SealedEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The forward-secure epoch key ratchet of a node: holds the ratchet states of the epochs {@code [e
 * - R, e + 1]}, where {@code e} is the current epoch of the clock and {@code R =
 * ceil(maxSessionLifetime / epochLength)}, and derives per-epoch subkeys from them under distinct
 * labels. States that leave the window are zeroized the moment the window moves and can never be
 * derived again: every entry and ticket sealed in their epoch is crypto-shredded.
 *
 * <p>Derivation ({@code io.github.shredcache.core.internal.Kdf}): {@code S_{e+1} =
 * HKDF-Expand(S_e, "shredcache/v1 ratchet", 32)} with HMAC-SHA256; subkeys use other labels, the
 * state itself is never a cipher key.
 *
 * <p>Thread-safe. The window follows the clock on every call; {@link #advance()} moves it
 * explicitly (a scheduler calls it at epoch boundaries so that erasure does not wait for traffic).
 * If the clock goes backwards the window stays where it was (a ratchet cannot go back).
 *
 * <p>Erasure limit: the ratchet zeroizes the states it owns, but the JCA keeps copies of derived
 * keys ({@link SecretKeySpec} copies its bytes and cannot be destroyed on Java 17; a {@code Cipher}
 * holds its key schedule) and Bouncy Castle's HMAC keeps its pads; those copies are dropped, not
 * zeroized, when an epoch leaves the window, and are reclaimed by the garbage collector.
 */
public final class KeyRatchet implements AutoCloseable {
  /** The most past epochs a ratchet keeps. */
  public static final int MAX_EPOCHS_BEHIND = 10_000;

  private final long epochSeconds;
  private final int epochsBehind;
  private final Duration maxSessionLifetime;
  private final InstantSource clock;
  private final Object lock = new Object();
  private volatile Window window;

  private KeyRatchet(long epochSeconds, int epochsBehind, Duration maxSessionLifetime,
      InstantSource clock, Window window) {
    this.epochSeconds = epochSeconds;
    this.epochsBehind = epochsBehind;
    this.maxSessionLifetime = maxSessionLifetime;
    this.clock = clock;
    this.window = window;
  }

  /**
   * Builds the window from {@code token} (which is destroyed: the node keeps no copy of what it
   * read). Epochs of the window before the token's epoch cannot be derived and stay empty.
   *
   * @throws IllegalArgumentException if the token is from the future of {@code clock}, or if
   *     {@code maxSessionLifetime} is not positive or needs more than {@value #MAX_EPOCHS_BEHIND}
   *     past epochs
   */
  public static KeyRatchet fromToken(KeyToken token, Duration maxSessionLifetime, InstantSource clock) {
    Objects.requireNonNull(token, "token");
    try {
      Objects.requireNonNull(maxSessionLifetime, "maxSessionLifetime");
      Objects.requireNonNull(clock, "clock");
      long epochSeconds = token.epochSeconds();
      if (maxSessionLifetime.isNegative() || maxSessionLifetime.isZero()) {
        throw new IllegalArgumentException(
            "maxSessionLifetime must be positive (e.g. PT1H), was " + maxSessionLifetime);
      }
      long lifetimeSeconds = maxSessionLifetime.getSeconds() + (maxSessionLifetime.getNano() > 0 ? 1 : 0);
      long behind = Math.max(1, (lifetimeSeconds + epochSeconds - 1) / epochSeconds);
      if (behind > MAX_EPOCHS_BEHIND) {
        throw new IllegalArgumentException(
            "maxSessionLifetime " + maxSessionLifetime + " with epochs of " + epochSeconds
                + " s needs " + behind + " past epochs, at most " + MAX_EPOCHS_BEHIND
                + " are kept: use a longer epoch length (a token made with 'keys init --epoch')");
      }
      long current = KeyToken.currentEpoch(clock, epochSeconds);
      if (token.epoch() > current + 1) {
        throw new IllegalArgumentException(
            "the token is from the future: its epoch " + token.epoch() + " is after the clock's epoch "
                + current + " + 1 (epochs of " + epochSeconds + " s); check this machine's clock or the token");
      }
      int r = (int) behind;
      long low = current - r;
      long high = current + 1;
      long first = Math.max(low, token.epoch());
      EpochKey[] keys = new EpochKey[(int) (high - low + 1)];
      byte[] state = Kdf.ratchet(token.stateBytes(), first - token.epoch());
      for (long e = first; ; e++) {
        keys[(int) (e - low)] = new EpochKey(e, state);
        if (e == high) {
          break;
        }
        state = Kdf.ratchetStep(state);
      }
      return new KeyRatchet(epochSeconds, r, maxSessionLifetime, clock, new Window(current, low, keys));
    } finally {
      token.destroy();
    }
  }

  /** Returns the epoch length of the chain. */
  public Duration epochLength() {
    return Duration.ofSeconds(epochSeconds);
  }

  /** Returns the maximum session lifetime this window was sized for. */
  public Duration maxSessionLifetime() {
    return maxSessionLifetime;
  }

  /** Returns the current epoch of the clock (the window's, if the clock went backwards). */
  public long currentEpoch() {
    return refresh().current;
  }

  /** Returns the epoch that contains {@code instant}. */
  public long epochOf(Instant instant) {
    return Math.floorDiv(instant.getEpochSecond(), epochSeconds);
  }

  /** Returns the first instant of {@code epoch}. */
  public Instant startOf(long epoch) {
    return Instant.ofEpochSecond(Math.multiplyExact(epoch, epochSeconds));
  }

  /** Returns R, the number of past epochs kept. */
  public int epochsBehind() {
    return epochsBehind;
  }

  /**
   * Moves the window to the clock's current epoch now, zeroizing states that leave it.
   *
   * @throws IllegalStateException if closed
   */
  public void advance() {
    refresh();
  }

  /**
   * Returns TLS session ticket keys for the window: the current epoch's first (it encrypts new
   * tickets), then the other epochs in the window, newest first. The caller owns and destroys them.
   * Epochs whose state this node never had (before the token's epoch) are left out.
   *
   * @throws IllegalStateException if closed
   */
  public List<TicketKeyMaterial> ticketKeys() {
    synchronized (lock) {
      Window w = refresh();
      List<TicketKeyMaterial> out = new ArrayList<>(w.keys.length);
      EpochKey current = w.get(w.current);
      if (current != null) {
        out.add(current.ticketKeys());
      }
      for (long e = w.high(); e >= w.low; e--) {
        EpochKey k = w.get(e);
        if (e != w.current && k != null) {
          out.add(k.ticketKeys());
        }
      }
      return out;
    }
  }

  /** Zeroizes every state held. Later calls fail with {@link IllegalStateException}. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      Window w = window;
      if (w == null) {
        return;
      }
      for (EpochKey k : w.keys) {
        if (k != null) {
          k.destroy();
        }
      }
      window = null;
    }
  }

  @Override
  public String toString() {
    Window w = window;
    return "KeyRatchet[epochLength=" + epochLength() + ", epochsBehind=" + epochsBehind
        + (w == null ? ", closed" : ", window=[" + w.low + ", " + w.high() + "]") + ", redacted]";
  }

  /** The clock the window follows. */
  InstantSource clock() {
    return clock;
  }

  /**
   * Returns the key entries are sealed under now: the current epoch's, or the next one's if this
   * node started from a token of the next epoch.
   *
   * @throws IllegalStateException if closed
   */
  EpochKey sealingKey() {
    Window w = refresh();
    EpochKey k = w.get(w.current);
    return k != null ? k : w.get(w.current + 1);
  }

  /** Returns the key of {@code epoch} if it is in the window and held, else null. */
  EpochKey openingKey(long epoch) {
    long clockEpoch = KeyToken.currentEpoch(clock, epochSeconds);
    Window w = refresh(clockEpoch);
    if (epoch > clockEpoch + 1) {
      return null; // more than one epoch ahead of this node's clock
    }
    return w.get(epoch);
  }

  /** Returns the number of seals made under the current epoch's key. */
  long sealsInCurrentEpoch() {
    EpochKey k = sealingKey();
    return k == null ? 0 : k.seals.get();
  }

  private Window refresh() {
    return refresh(KeyToken.currentEpoch(clock, epochSeconds));
  }

  private Window refresh(long now) {
    Window w = window;
    if (w == null) {
      throw new IllegalStateException("key ratchet was closed");
    }
    if (now <= w.current) {
      return w;
    }
    synchronized (lock) {
      w = window;
      if (w == null) {
        throw new IllegalStateException("key ratchet was closed");
      }
      if (now <= w.current) {
        return w;
      }
      long low = now - epochsBehind;
      long high = now + 1;
      EpochKey[] keys = new EpochKey[(int) (high - low + 1)];
      // Keep what stays in the window.
      for (long e = Math.max(low, w.low); e <= w.high(); e++) {
        keys[(int) (e - low)] = w.get(e);
      }
      // Derive forward from the newest state held (old high = old current + 1).
      EpochKey newest = w.get(w.high());
      byte[] state = newest.stateCopy();
      long e = w.high();
      while (e < high) {
        byte[] next = Kdf.ratchetStep(state);
        Arrays.fill(state, (byte) 0);
        state = next;
        e++;
        if (e >= low) {
          keys[(int) (e - low)] = new EpochKey(e, state.clone());
        }
      }
      Arrays.fill(state, (byte) 0);
      Window next = new Window(now, low, keys);
      window = next;
      // Erase what left the window: this crypto-shreds its entries.
      for (long old = w.low; old <= w.high() && old < low; old++) {
        EpochKey k = w.get(old);
        if (k != null) {
          k.destroy();
        }
      }
      return next;
    }
  }

  /** An immutable snapshot of the window; index = epoch - low. */
  private static final class Window {
    final long current;
    final long low;
    final EpochKey[] keys;

    Window(long current, long low, EpochKey[] keys) {
      this.current = current;
      this.low = low;
      this.keys = keys;
    }

    long high() {
      return low + keys.length - 1;
    }

    EpochKey get(long epoch) {
      if (epoch < low || epoch > high()) {
        return null;
      }
      return keys[(int) (epoch - low)];
    }
  }

  /** The state of one epoch and the keys derived from it. Thread-safe. */
  static final class EpochKey {
    final long epoch;
    final AtomicLong seals = new AtomicLong();
    private final byte[] state;
    private volatile SecretKey sealKey;
    private volatile boolean destroyed;

    /** Takes ownership of {@code state}. */
    EpochKey(long epoch, byte[] state) {
      this.epoch = epoch;
      this.state = state;
    }

    /**
     * Returns the AES-256 sealing key of this epoch, derived on first use.
     *
     * @throws IllegalStateException if the epoch left the window meanwhile
     */
    SecretKey sealKey() {
      SecretKey k = sealKey;
      if (k == null) {
        synchronized (this) {
          checkLive();
          k = sealKey;
          if (k == null) {
            byte[] bytes = Kdf.expand(state, Kdf.SEAL_LABEL, 32);
            k = new SecretKeySpec(bytes, "AES"); // copies the bytes (cannot be zeroized)
            Arrays.fill(bytes, (byte) 0);
            sealKey = k;
          }
        }
      }
      if (destroyed) {
        throw new IllegalStateException("epoch key was erased");
      }
      return k;
    }

    /** Counts one seal; false if this key has made its maximum number of seals. */
    boolean tryCountSeal() {
      return seals.incrementAndGet() <= SealedEntry.MAX_SEALS_PER_KEY;
    }

    synchronized TicketKeyMaterial ticketKeys() {
      checkLive();
      return new TicketKeyMaterial(
          epoch,
          Kdf.expand(state, Kdf.TICKET_NAME_LABEL, TicketKeyMaterial.PART_SIZE_BYTES),
          Kdf.expand(state, Kdf.TICKET_HMAC_LABEL, TicketKeyMaterial.PART_SIZE_BYTES),
          Kdf.expand(state, Kdf.TICKET_AES_LABEL, TicketKeyMaterial.PART_SIZE_BYTES));
    }

    synchronized byte[] stateCopy() {
      checkLive();
      return state.clone();
    }

    synchronized void destroy() {
      Arrays.fill(state, (byte) 0);
      sealKey = null;
      destroyed = true;
    }

    boolean isDestroyed() {
      return destroyed;
    }

    /** The live state (tests prove zeroization with it). */
    byte[] internalStateForTesting() {
      return state;
    }

    private void checkLive() {
      if (destroyed) {
        throw new IllegalStateException("epoch key was erased");
      }
    }

    @Override
    public String toString() {
      return "EpochKey[epoch=" + epoch + ", redacted]";
    }
  }
}
