package io.github.shredcache.core.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The key derivations of the ratchet: HKDF-Expand (RFC 5869, section 2.3) with HMAC-SHA256, keyed
 * with a 32-byte ratchet state and a distinct label per use.
 *
 * <ul>
 *   <li>{@code S_{e+1} = HKDF-Expand(S_e, "shredcache/v1 ratchet", 32)}
 *   <li>entry sealing key of epoch e: {@code HKDF-Expand(S_e, "shredcache/v1 seal", 32)}
 *   <li>ticket key name, HMAC key and AES key of epoch e: {@code HKDF-Expand(S_e, "shredcache/v1
 *       ticket name" | "... ticket hmac" | "... ticket aes", 16)}
 * </ul>
 *
 * <p>Stateless and thread-safe. Ownership: the caller owns the returned arrays. Erasure limit:
 * Bouncy Castle's HKDF and HMAC keep internal copies (HMAC pads) of the input key that cannot be
 * zeroized from here; they become garbage when the call returns.
 */
public final class Kdf {
  /** The label of the ratchet step. */
  public static final String RATCHET_LABEL = "shredcache/v1 ratchet";
  /** The label of the entry-sealing key. */
  public static final String SEAL_LABEL = "shredcache/v1 seal";
  /** The label of the TLS ticket key name. */
  public static final String TICKET_NAME_LABEL = "shredcache/v1 ticket name";
  /** The label of the TLS ticket HMAC key. */
  public static final String TICKET_HMAC_LABEL = "shredcache/v1 ticket hmac";
  /** The label of the TLS ticket AES key. */
  public static final String TICKET_AES_LABEL = "shredcache/v1 ticket aes";
  /** The size of a ratchet state and of the sealing key. */
  public static final int STATE_SIZE_BYTES = 32;

  private Kdf() {}

  /** Returns {@code S_{e+1}} for {@code state} = {@code S_e}; the caller owns both. */
  public static byte[] ratchetStep(byte[] state) {
    return expand(state, RATCHET_LABEL, STATE_SIZE_BYTES);
  }

  /** Returns the state {@code steps} epochs after {@code state}; {@code state} is not modified. */
  public static byte[] ratchet(byte[] state, long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("a ratchet only goes forward, steps was " + steps);
    }
    byte[] current = state.clone();
    for (long i = 0; i < steps; i++) {
      byte[] next = ratchetStep(current);
      Arrays.fill(current, (byte) 0);
      current = next;
    }
    return current;
  }

  /** Returns HKDF-Expand(key, label, lengthBytes) with HMAC-SHA256. */
  public static byte[] expand(byte[] key, String label, int lengthBytes) {
    if (key.length != STATE_SIZE_BYTES) {
      throw new IllegalArgumentException("a ratchet state has 32 bytes, was " + key.length);
    }
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(HKDFParameters.skipExtractParameters(key, label.getBytes(StandardCharsets.US_ASCII)));
    byte[] out = new byte[lengthBytes];
    hkdf.generateBytes(out, 0, lengthBytes);
    return out;
  }
}
