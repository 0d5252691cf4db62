package io.github.shredcache.netty;

import io.github.shredcache.core.TicketKeyMaterial;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.security.SecureRandom;
import java.util.Arrays;

/** Conversions between our ticket key material and Netty's, zeroizing every array we touch. */
final class TicketKeys {

  private TicketKeys() {}

  /**
   * Copies {@code material} into a Netty key. The arrays read from {@code material} are zeroized
   * before returning; Netty keeps its own clones (which nobody can zeroize).
   */
  static OpenSslSessionTicketKey toNetty(TicketKeyMaterial material) {
    byte[] name = material.name();
    byte[] hmacKey = material.hmacKey();
    byte[] aesKey = material.aesKey();
    try {
      return new OpenSslSessionTicketKey(name, hmacKey, aesKey);
    } finally {
      Arrays.fill(name, (byte) 0);
      Arrays.fill(hmacKey, (byte) 0);
      Arrays.fill(aesKey, (byte) 0);
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
