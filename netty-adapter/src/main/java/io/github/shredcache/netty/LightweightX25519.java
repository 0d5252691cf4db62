package io.github.shredcache.netty;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsAgreement;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.TlsECDomain;
import org.bouncycastle.tls.crypto.TlsSecret;
import org.jspecify.annotations.Nullable;

/**
 * X25519 key agreement (RFC 7748) on Bouncy Castle's constant-time field arithmetic
 * ({@code org.bouncycastle.math.ec.rfc7748.X25519}) instead of the JDK 17 provider's, which is
 * several times slower and was the largest single cost of a full handshake. One agreement per
 * connection; the private scalar is zeroized as soon as the secret is computed.
 */
final class LightweightX25519 implements TlsECDomain {
  private final TlsCrypto crypto;
  private final SecureRandom random;

  LightweightX25519(TlsCrypto crypto, SecureRandom random) {
    this.crypto = crypto;
    this.random = random;
  }

  @Override
  public TlsAgreement createECDH() {
    return new Agreement();
  }

  private final class Agreement implements TlsAgreement {
    private final byte[] privateKey = new byte[X25519.SCALAR_SIZE];
    private byte @Nullable [] peerValue;

    @Override
    public byte[] generateEphemeral() {
      X25519.generatePrivateKey(random, privateKey);
      byte[] publicKey = new byte[X25519.POINT_SIZE];
      X25519.generatePublicKey(privateKey, 0, publicKey, 0);
      return publicKey;
    }

    @Override
    public void receivePeerValue(byte[] peerValue) throws IOException {
      if (peerValue == null || peerValue.length != X25519.POINT_SIZE) {
        throw new TlsFatalAlert(AlertDescription.illegal_parameter, "X25519 share of wrong length");
      }
      this.peerValue = peerValue.clone();
    }

    @Override
    public TlsSecret calculateSecret() throws IOException {
      byte[] shared = new byte[X25519.POINT_SIZE];
      try {
        if (peerValue == null
            || !X25519.calculateAgreement(privateKey, 0, peerValue, 0, shared, 0)) {
          // an all-zero result: a low-order peer point (RFC 7748 section 6.1)
          throw new TlsFatalAlert(AlertDescription.illegal_parameter, "X25519 agreement failed");
        }
        return crypto.createSecret(shared);
      } finally {
        Arrays.fill(privateKey, (byte) 0);
        Arrays.fill(shared, (byte) 0);
      }
    }
  }
}
