package io.github.shredcache.netty;

import io.github.shredcache.core.TicketKeyMaterial;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Conversions between our ticket key material and Netty's, zeroizing every array we touch. */
final class TicketKeys {
  private static final byte[] INFO =
      "shredcache/v1 ticket keys for a resumption context".getBytes(StandardCharsets.US_ASCII);
  private static final int PART = TicketKeyMaterial.PART_SIZE_BYTES;

  private TicketKeys() {}

  /**
   * The ticket keys of {@code material}'s epoch for one server configuration: {@code
   * HKDF-SHA256(ikm = name | hmacKey | aesKey, info = label | context)}, 48 bytes split into
   * name, HMAC key and AES key. Contexts with different identities get unrelated keys (and key
   * names), so a ticket issued under one is unknown to the other. The arrays read from {@code
   * material} and every intermediate are zeroized before returning; Netty keeps its own clones
   * (which nobody can zeroize).
   */
  static OpenSslSessionTicketKey toNetty(TicketKeyMaterial material, ResumptionContext context) {
    byte[] ikm = new byte[3 * PART];
    byte[] okm = null;
    byte[] name = material.name();
    byte[] hmacKey = material.hmacKey();
    byte[] aesKey = material.aesKey();
    try {
      System.arraycopy(name, 0, ikm, 0, PART);
      System.arraycopy(hmacKey, 0, ikm, PART, PART);
      System.arraycopy(aesKey, 0, ikm, 2 * PART, PART);
      okm = hkdfSha256(ikm, context.digest(), 3 * PART);
      System.arraycopy(okm, 0, name, 0, PART);
      System.arraycopy(okm, PART, hmacKey, 0, PART);
      System.arraycopy(okm, 2 * PART, aesKey, 0, PART);
      return new OpenSslSessionTicketKey(name, hmacKey, aesKey);
    } finally {
      Arrays.fill(ikm, (byte) 0);
      if (okm != null) {
        Arrays.fill(okm, (byte) 0);
      }
      Arrays.fill(name, (byte) 0);
      Arrays.fill(hmacKey, (byte) 0);
      Arrays.fill(aesKey, (byte) 0);
    }
  }

  /**
   * RFC 5869 with HMAC-SHA256 and no salt; info is {@link #INFO} followed by {@code context};
   * {@code length} at most 255 * 32 bytes.
   */
  private static byte[] hkdfSha256(byte[] ikm, byte[] context, int length) {
    byte[] prk = null;
    byte[] t = new byte[0];
    byte[] out = new byte[length];
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
      prk = mac.doFinal(ikm);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      for (int i = 1, done = 0; done < length; i++) {
        mac.update(t);
        mac.update(INFO);
        mac.update(context);
        mac.update((byte) i);
        Arrays.fill(t, (byte) 0);
        t = mac.doFinal();
        int n = Math.min(t.length, length - done);
        System.arraycopy(t, 0, out, done, n);
        done += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      Arrays.fill(out, (byte) 0);
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    } finally {
      if (prk != null) {
        Arrays.fill(prk, (byte) 0);
      }
      Arrays.fill(t, (byte) 0);
    }
  }

  /** A single random key known to nobody else: tickets under it resume only on this node. */
  static OpenSslSessionTicketKey random(SecureRandom random) {
    byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
    byte[] hmacKey = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
    byte[] aesKey = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
    random.nextBytes(name);
    random.nextBytes(hmacKey);
    random.nextBytes(aesKey);
    try {
      return new OpenSslSessionTicketKey(name, hmacKey, aesKey);
    } finally {
      Arrays.fill(name, (byte) 0);
      Arrays.fill(hmacKey, (byte) 0);
      Arrays.fill(aesKey, (byte) 0);
    }
  }
}
