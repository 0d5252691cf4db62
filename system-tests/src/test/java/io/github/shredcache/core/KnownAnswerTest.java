package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.core.internal.Kdf;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the key derivation: a fixed token gives fixed bytes (src/test/resources/ratchet-vectors.txt),
 * so it can never change silently between versions. The first ratchet step and a subkey are also
 * recomputed here independently, with HMAC-SHA256 from the JDK (HKDF-Expand for one block is
 * T(1) = HMAC(key, info | 0x01)), so the vectors are not just our code agreeing with itself.
 */
class KnownAnswerTest {
  private static final HexFormat HEX = HexFormat.of();
  private static Properties vectors;

  private final FakeClock clock = new FakeClock();

  @BeforeAll
  static void load() throws IOException {
    vectors = new Properties();
    try (InputStream in = KnownAnswerTest.class.getResourceAsStream("/ratchet-vectors.txt")) {
      assertThat(in).as("ratchet-vectors.txt on the test classpath").isNotNull();
      vectors.load(in);
    }
  }

  private static byte[] vector(String name) {
    String hex = vectors.getProperty(name);
    assertThat(hex).as(name).isNotNull();
    return HEX.parseHex(hex.trim());
  }

  private static byte[] hkdfExpandOneBlockByHand(byte[] key, String label) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    mac.update(label.getBytes(StandardCharsets.US_ASCII));
    mac.update((byte) 0x01);
    return mac.doFinal();
  }

  private static byte[] stateOf(KeyToken token) {
    String encoded = token.encode();
    return Base64.getUrlDecoder().decode(encoded.substring(encoded.lastIndexOf(':') + 1));
  }

  @Test
  void tokenVectorIsTheTestToken() {
    assertThat(vectors.getProperty("token_epoch0")).isEqualTo(TestKeys.TOKEN_A);
    assertThat(stateOf(TestKeys.tokenA(clock))).isEqualTo(vector("state_epoch0"));
  }

  @Test
  void firstRatchetStepMatchesAnIndependentHkdfExpand() throws Exception {
    byte[] byHand = hkdfExpandOneBlockByHand(vector("state_epoch0"), "shredcache/v1 ratchet");
    assertThat(byHand).isEqualTo(vector("state_epoch1"));
    assertThat(Kdf.ratchetStep(vector("state_epoch0"))).isEqualTo(byHand);
  }

  @Test
  void subkeyMatchesAnIndependentHkdfExpand() throws Exception {
    byte[] byHand = hkdfExpandOneBlockByHand(vector("state_epoch0"), "shredcache/v1 seal");
    assertThat(byHand).isEqualTo(vector("seal_key_epoch0"));
    byte[] name = hkdfExpandOneBlockByHand(vector("state_epoch0"), "shredcache/v1 ticket name");
    assertThat(java.util.Arrays.copyOf(name, 16)).isEqualTo(vector("ticket_name_epoch0"));
  }

  @Test
  void tokensAdvanceAlongTheVectors() {
    KeyToken t = TestKeys.tokenA(clock);
    assertThat(stateOf(t.advanceTo(TestKeys.EPOCH_0 + 1))).isEqualTo(vector("state_epoch1"));
    assertThat(stateOf(t.advanceTo(TestKeys.EPOCH_0 + 2))).isEqualTo(vector("state_epoch2"));
    assertThat(stateOf(t.advanceTo(TestKeys.EPOCH_0 + 3))).isEqualTo(vector("state_epoch3"));
    assertThat(stateOf(t.advanceTo(TestKeys.EPOCH_0 + 100))).isEqualTo(vector("state_epoch100"));
  }

  @Test
  void ratchetSubkeysMatchTheVectors() {
    KeyRatchet r = TestKeys.ratchetA(clock);
    assertThat(r.openingKey(TestKeys.EPOCH_0).sealKey().getEncoded()).isEqualTo(vector("seal_key_epoch0"));
    assertThat(r.openingKey(TestKeys.EPOCH_0 + 1).sealKey().getEncoded())
        .isEqualTo(vector("seal_key_epoch1"));
    List<TicketKeyMaterial> tickets = r.ticketKeys();
    TicketKeyMaterial current = tickets.get(0);
    assertThat(current.epoch()).isEqualTo(TestKeys.EPOCH_0);
    assertThat(current.name()).isEqualTo(vector("ticket_name_epoch0"));
    assertThat(current.hmacKey()).isEqualTo(vector("ticket_hmac_epoch0"));
    assertThat(current.aesKey()).isEqualTo(vector("ticket_aes_epoch0"));
  }

  @Test
  void ratchetFollowingTheClockReachesTheVectorState() {
    KeyRatchet r = TestKeys.ratchetA(clock);
    clock.advance(Duration.ofHours(99));
    r.advance(); // a jump this large is caught up by the scheduler, or by an explicit advance
    // epoch 100 is now current + 1: its seal key must come from state_epoch100.
    assertThat(r.openingKey(TestKeys.EPOCH_0 + 100).sealKey().getEncoded())
        .isEqualTo(Kdf.expand(vector("state_epoch100"), Kdf.SEAL_LABEL, 32));
  }
}
