package io.github.shredcache.core;

import io.github.shredcache.core.internal.Kdf;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.security.auth.Destroyable;

/**
 * A provisioning token: the ratchet state of one epoch, {@code
 * sc1:<epochSeconds>:<epoch>:<base64url(S_epoch)>} (base64url without padding). Whoever holds a
 * token can derive the keys of its epoch and every later one, so a token's age bounds forward
 * secrecy: advance stored copies at least once per epoch.
 *
 * <p>Owns the 32 state bytes; {@link #destroy()} zeroizes them. {@link #toString()} is redacted.
 * Not thread-safe.
 */
public final class KeyToken implements Destroyable {
  /** The token prefix and format version. */
  public static final String PREFIX = "sc1";
  /** The size of a ratchet state. */
  public static final int STATE_SIZE_BYTES = 32;

  /** The longest epoch a token may declare: one year. */
  static final long MAX_EPOCH_SECONDS = 366L * 24 * 3600;

  private static final int ENCODED_STATE_CHARS = 43; // 32 bytes, base64 without padding

  private final long epochSeconds;
  private final long epoch;
  private final byte[] state;
  private volatile boolean destroyed;

  private KeyToken(long epochSeconds, long epoch, byte[] state) {
    this.epochSeconds = epochSeconds;
    this.epoch = epoch;
    this.state = state;
  }

  /**
   * Parses an encoded token (surrounding white space is ignored).
   *
   * @throws IllegalArgumentException naming what is wrong (prefix, field count, epoch length,
   *     base64, state length, an epoch in the future of {@code clock}) and never echoing the secret
   */
  public static KeyToken parse(CharSequence encoded, InstantSource clock) {
    Objects.requireNonNull(encoded, "encoded");
    Objects.requireNonNull(clock, "clock");
    int start = 0;
    int end = encoded.length();
    while (start < end && Character.isWhitespace(encoded.charAt(start))) {
      start++;
    }
    while (end > start && Character.isWhitespace(encoded.charAt(end - 1))) {
      end--;
    }
    int[] colons = new int[3];
    int found = 0;
    for (int i = start; i < end; i++) {
      if (encoded.charAt(i) == ':') {
        if (found == 3) {
          throw new IllegalArgumentException(
              "a key token has 4 fields sc1:<epochSeconds>:<epoch>:<state>, found more");
        }
        colons[found++] = i;
      }
    }
    String prefix = encoded.subSequence(start, found > 0 ? colons[0] : Math.min(end, start + 3)).toString();
    if (found == 0 || !prefix.equals(PREFIX)) {
      throw new IllegalArgumentException(
          "not a shredcache key token: it must start with 'sc1:' (make one with 'keys init')");
    }
    if (found != 3) {
      throw new IllegalArgumentException(
          "a key token has 4 fields sc1:<epochSeconds>:<epoch>:<state>, found " + (found + 1));
    }
    long epochSeconds = parseNumber(encoded, colons[0] + 1, colons[1], "epochSeconds");
    if (epochSeconds < 1 || epochSeconds > MAX_EPOCH_SECONDS) {
      throw new IllegalArgumentException(
          "the token's epoch length must be 1 to " + MAX_EPOCH_SECONDS + " seconds, was " + epochSeconds);
    }
    long epoch = parseNumber(encoded, colons[1] + 1, colons[2], "epoch");
    int stateChars = end - colons[2] - 1;
    if (stateChars != ENCODED_STATE_CHARS) {
      throw new IllegalArgumentException(
          "the token's state must be 32 bytes (43 base64url characters without padding), found "
              + stateChars + " characters");
    }
    byte[] ascii = new byte[stateChars];
    byte[] state;
    try {
      for (int i = 0; i < stateChars; i++) {
        char c = encoded.charAt(colons[2] + 1 + i);
        if (!isBase64Url(c)) {
          throw new IllegalArgumentException(
              "the token's state is not base64url (alphabet A-Z a-z 0-9 - _, no padding):"
                  + " bad character at position " + (i + 1) + " of the state");
        }
        ascii[i] = (byte) c;
      }
      try {
        state = Base64.getUrlDecoder().decode(ascii);
      } catch (IllegalArgumentException e) {
        // The JDK's message may quote input bytes: never pass it on.
        throw new IllegalArgumentException("the token's state is not valid base64url");
      }
    } finally {
      Arrays.fill(ascii, (byte) 0);
    }
    if (state.length != STATE_SIZE_BYTES) {
      Arrays.fill(state, (byte) 0);
      throw new IllegalArgumentException("the token's state must be 32 bytes, was " + state.length);
    }
    long now = currentEpoch(clock, epochSeconds);
    if (epoch > now + 1) {
      Arrays.fill(state, (byte) 0);
      throw new IllegalArgumentException(
          "the token is from the future: its epoch " + epoch + " is after the clock's epoch " + now
              + " + 1 (epochs of " + epochSeconds + " s); check this machine's clock or the token");
    }
    return new KeyToken(epochSeconds, epoch, state);
  }

  /** Makes a new random chain starting at the current epoch of {@code clock}. */
  public static KeyToken generate(Duration epochLength, InstantSource clock) {
    long epochSeconds = checkEpochLength(epochLength);
    byte[] state = new byte[STATE_SIZE_BYTES];
    new SecureRandom().nextBytes(state);
    return new KeyToken(epochSeconds, currentEpoch(clock, epochSeconds), state);
  }

  /**
   * Returns a new token ratcheted forward to {@code epoch}; this one is left as it was.
   *
   * @throws IllegalArgumentException if {@code epoch} is before this token's epoch
   */
  public KeyToken advanceTo(long epoch) {
    checkLive();
    if (epoch < this.epoch) {
      throw new IllegalArgumentException(
          "a token only advances: it is at epoch " + this.epoch + ", asked for " + epoch);
    }
    return new KeyToken(epochSeconds, epoch, Kdf.ratchet(state, epoch - this.epoch));
  }

  /** Returns the token's text form. The caller owns the secret in the returned string. */
  public String encode() {
    checkLive();
    return PREFIX + ":" + epochSeconds + ":" + epoch + ":"
        + new String(Base64.getUrlEncoder().withoutPadding().encode(state), StandardCharsets.US_ASCII);
  }

  /** Returns the epoch length this chain was made with. */
  public Duration epochLength() {
    return Duration.ofSeconds(epochSeconds);
  }

  /** Returns this token's epoch number: floor(unixSeconds / epochSeconds). */
  public long epoch() {
    return epoch;
  }

  /** Overwrites the state with zeros. Idempotent. */
  @Override
  public void destroy() {
    Arrays.fill(state, (byte) 0);
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  /** Returns {@code KeyToken[epoch=…, epochLength=…, redacted]}. */
  @Override
  public String toString() {
    return "KeyToken[epoch=" + epoch + ", epochLength=" + epochLength() + ", redacted"
        + (destroyed ? ", destroyed" : "") + "]";
  }

  /** The live state array (not a copy): for {@link KeyRatchet}, which copies it. */
  byte[] stateBytes() {
    checkLive();
    return state;
  }

  long epochSeconds() {
    return epochSeconds;
  }

  static long currentEpoch(InstantSource clock, long epochSeconds) {
    return Math.floorDiv(clock.instant().getEpochSecond(), epochSeconds);
  }

  static long checkEpochLength(Duration epochLength) {
    Objects.requireNonNull(epochLength, "epochLength");
    if (epochLength.getNano() != 0 || epochLength.getSeconds() < 1
        || epochLength.getSeconds() > MAX_EPOCH_SECONDS) {
      throw new IllegalArgumentException(
          "the epoch length must be whole seconds from 1 s to 366 days (e.g. PT1H), was " + epochLength);
    }
    return epochLength.getSeconds();
  }

  private void checkLive() {
    if (destroyed) {
      throw new IllegalStateException("key token was destroyed");
    }
  }

  private static boolean isBase64Url(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
        || c == '_';
  }

  private static long parseNumber(CharSequence s, int from, int to, String field) {
    if (from >= to || to - from > 18) {
      throw new IllegalArgumentException(
          "the token's " + field + " must be a non-negative decimal number of 1 to 18 digits");
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException(
            "the token's " + field + " must be a non-negative decimal number");
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
