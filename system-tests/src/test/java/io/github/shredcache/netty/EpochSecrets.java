package io.github.shredcache.netty;

import io.github.shredcache.netty.ProcessMemoryScan.Needle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Every secret a node derives from one epoch's ratchet state, recomputed by the memory scans from
 * the key token with Bouncy Castle's HKDF (not with the product's {@code Kdf} or {@code
 * TicketKeys}, so a changed label or layout in the product makes the positive controls fail), and
 * held only as masked {@link Needle}s: the raw arrays are zeroized before this returns.
 *
 * <ul>
 *   <li>{@code S_e}, and {@code S_{e+1} = HKDF-Expand(S_e, "shredcache/v1 ratchet", 32)};
 *   <li>the sealing key {@code HKDF-Expand(S_e, "shredcache/v1 seal", 32)}, as bytes and as the
 *       first round keys of an AES key schedule in process memory (the JDK's {@code AESCrypt}
 *       keeps them as {@code int}s, stored little-endian on x86-64; a heap dump writes {@code
 *       int} arrays big-endian, so there they match the byte form);
 *   <li>the ticket key name, HMAC key and AES key {@code HKDF-Expand(S_e, "shredcache/v1 ticket
 *       name|hmac|aes", 16)};
 *   <li>the ticket keys installed in an OpenSSL context: {@code HKDF-SHA256(salt = none, ikm =
 *       name | hmac | aes, info = "shredcache/v1 ticket keys for a resumption context" | context
 *       digest)}, 48 bytes split into name, HMAC key and AES key.
 * </ul>
 */
final class EpochSecrets {
  private static final byte[] CONTEXT_INFO =
      "shredcache/v1 ticket keys for a resumption context".getBytes(StandardCharsets.US_ASCII);

  final long epoch;
  final Needle state;
  final Needle sealingKey;
  final Needle sealingKeyWords;
  final Needle ticketName;
  final Needle ticketHmacKey;
  final Needle ticketAesKey;
  final Needle contextTicketName;
  final Needle contextTicketHmacKey;
  final Needle contextTicketAesKey;

  private EpochSecrets(long epoch, byte[] state, byte[] contextDigest) {
    this.epoch = epoch;
    this.state = masked(state.clone(), "state " + epoch);
    byte[] seal = expand(state, "shredcache/v1 seal", 32);
    this.sealingKeyWords = masked(littleEndianWords(seal), "sealing key words " + epoch);
    this.sealingKey = masked(seal, "sealing key " + epoch);
    byte[] name = expand(state, "shredcache/v1 ticket name", 16);
    byte[] hmac = expand(state, "shredcache/v1 ticket hmac", 16);
    byte[] aes = expand(state, "shredcache/v1 ticket aes", 16);
    byte[] ikm = concat(name, hmac, aes);
    this.ticketName = masked(name, "ticket name " + epoch);
    this.ticketHmacKey = masked(hmac, "ticket hmac " + epoch);
    this.ticketAesKey = masked(aes, "ticket aes " + epoch);
    byte[] info = concat(CONTEXT_INFO, contextDigest);
    byte[] okm = new byte[48];
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(ikm, null, info));
    hkdf.generateBytes(okm, 0, okm.length);
    Arrays.fill(ikm, (byte) 0);
    this.contextTicketName = masked(Arrays.copyOfRange(okm, 0, 16), "context ticket name " + epoch);
    this.contextTicketHmacKey = masked(Arrays.copyOfRange(okm, 16, 32), "context ticket hmac " + epoch);
    this.contextTicketAesKey = masked(Arrays.copyOfRange(okm, 32, 48), "context ticket aes " + epoch);
    Arrays.fill(okm, (byte) 0);
  }

  /**
   * The secrets of the epochs {@code from..to} of the chain of {@code token} (text form, {@code
   * sc1:<epochSeconds>:<epoch>:<state>}), for a ticket context whose identity digest is
   * {@code contextDigest}.
   */
  static List<EpochSecrets> of(String token, long from, long to, byte[] contextDigest) {
    String[] f = token.split(":");
    long epoch = Long.parseLong(f[2]);
    if (from < epoch) {
      throw new IllegalArgumentException("the token starts at epoch " + epoch + ", asked for " + from);
    }
    byte[] state = Base64.getUrlDecoder().decode(f[3]);
    List<EpochSecrets> out = new ArrayList<>();
    for (long e = epoch; e <= to; e++) {
      if (e >= from) {
        out.add(new EpochSecrets(e, state, contextDigest));
      }
      byte[] next = expand(state, "shredcache/v1 ratchet", 32);
      Arrays.fill(state, (byte) 0);
      state = next;
    }
    Arrays.fill(state, (byte) 0);
    return out;
  }

  private static byte[] expand(byte[] key, String label, int length) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(HKDFParameters.skipExtractParameters(key, label.getBytes(StandardCharsets.US_ASCII)));
    byte[] out = new byte[length];
    hkdf.generateBytes(out, 0, length);
    return out;
  }

  /** Each 4-byte big-endian word of {@code key} byte-reversed: an {@code int[]} in x86 memory. */
  private static byte[] littleEndianWords(byte[] key) {
    byte[] out = new byte[key.length];
    for (int i = 0; i < key.length; i++) {
      out[i] = key[(i & ~3) + 3 - (i & 3)];
    }
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Masks and zeroizes {@code raw}. */
  private static Needle masked(byte[] raw, String label) {
    Needle n = Needle.fromRaw(raw, label);
    Arrays.fill(raw, (byte) 0);
    return n;
  }

  @Override
  public String toString() {
    return "EpochSecrets[epoch=" + epoch + ", masked]";
  }
}
