package io.github.shredcache.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SealingKeyTest {
  private static final SealedEntry.Binding NS = SealedEntry.bindTo("ns".getBytes(StandardCharsets.US_ASCII));
  private static final byte[] ID = {1, 2, 3};

  private static byte[] keyBytes() {
    byte[] k = new byte[SealingKey.SIZE_BYTES];
    Arrays.fill(k, (byte) 7);
    return k;
  }

  @Test
  void sealsWithPooledCiphersAndOpensWithTheSecretKeyView() throws Exception {
    SealingKey key = SealingKey.adopt(keyBytes());
    byte[] state = "state".getBytes(StandardCharsets.US_ASCII);
    byte[] entry = SealedEntry.seal(key, 5, 100, NS, ID, state);
    assertThat(key.pooledForTesting()).isEqualTo(1);
    assertThat(SealedEntry.parse(entry).open(key.secretKey(), NS, ID)).isEqualTo(state);
    assertThat(SealedEntry.parse(entry).open(key, NS, ID)).isEqualTo(state);
    assertThat(key.pooledForTesting()).isEqualTo(1); // reused, not a second cipher
  }

  @Test
  void destroyZeroizesTheBytesAndEmptiesThePool() throws Exception {
    byte[] bytes = keyBytes();
    SealingKey key = SealingKey.adopt(bytes);
    SealedEntry.seal(key, 5, 100, NS, ID, new byte[10]);
    assertThat(key.pooledForTesting()).isEqualTo(1);

    key.destroy();

    assertThat(bytes).containsOnly(0);
    assertThat(key.pooledForTesting()).isZero();
    assertThat(key.isDestroyed()).isTrue();
    assertThatThrownBy(() -> key.secretKey().getEncoded()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SealedEntry.seal(key, 5, 100, NS, ID, new byte[10]))
        .isInstanceOf(IllegalStateException.class);
    assertThat(key.toString()).doesNotContain("7").contains("redacted");
  }

  @Test
  void aCipherReturnedAfterDestroyIsNotPooled() throws Exception {
    SealingKey key = SealingKey.adopt(keyBytes());
    Cipher borrowed = key.borrow(Cipher.ENCRYPT_MODE, new GCMParameterSpec(128, new byte[12]));
    key.destroy();
    key.release(borrowed);
    assertThat(key.pooledForTesting()).isZero();
    // The scrubbed cipher is keyed with the all-zero key now: it opens what that key sealed.
    Cipher zero = Cipher.getInstance("AES/GCM/NoPadding");
    zero.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[32], "AES"),
        new GCMParameterSpec(128, new byte[12]));
    byte[] sealedUnderZero = zero.doFinal("probe".getBytes(StandardCharsets.US_ASCII));
    assertThat(borrowed.doFinal(sealedUnderZero)).isEqualTo("probe".getBytes(StandardCharsets.US_ASCII));
  }
}
