package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import java.math.BigInteger;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsAgreement;
import org.junit.jupiter.api.Test;

/** The lightweight X25519 agrees with the JDK's X25519 and refuses low-order shares. */
class LightweightX25519Test {
  private final ShredcacheTlsCrypto crypto = new ShredcacheTlsCrypto(new BouncyCastleProvider());
  private final LightweightX25519 domain = new LightweightX25519(crypto, new SecureRandom());

  @Test
  void agreesWithTheJdksX25519() throws Exception {
    KeyPair jdk = KeyPairGenerator.getInstance("X25519").generateKeyPair();
    TlsAgreement ours = domain.createECDH();
    byte[] ourShare = ours.generateEphemeral();
    ours.receivePeerValue(littleEndian(((XECPublicKey) jdk.getPublic()).getU()));
    byte[] ourSecret = ours.calculateSecret().extract();

    KeyAgreement ka = KeyAgreement.getInstance("X25519");
    ka.init(jdk.getPrivate());
    ka.doPhase(KeyFactory.getInstance("X25519").generatePublic(
        new XECPublicKeySpec(NamedParameterSpec.X25519, fromLittleEndian(ourShare))), true);
    assertThat(ourSecret).hasSize(32).isEqualTo(ka.generateSecret());
  }

  @Test
  void lowOrderShareIsAnIllegalParameterNotAnInternalError() throws Exception {
    TlsAgreement ours = domain.createECDH();
    ours.generateEphemeral();
    ours.receivePeerValue(new byte[32]); // the point 0: the agreement would be all zeros
    assertThatThrownBy(ours::calculateSecret).isInstanceOf(TlsFatalAlert.class)
        .hasMessageContaining("X25519");
    assertThatThrownBy(() -> domain.createECDH().receivePeerValue(new byte[31]))
        .isInstanceOf(TlsFatalAlert.class);
  }

  private static byte[] littleEndian(BigInteger u) {
    byte[] be = u.toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < be.length && i < 32; i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  private static BigInteger fromLittleEndian(byte[] le) {
    byte[] be = new byte[le.length + 1];
    for (int i = 0; i < le.length; i++) {
      be[be.length - 1 - i] = le[i];
    }
    return new BigInteger(be);
  }
}
