package io.github.shredcache.netty;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.crypto.TlsAgreement;
import org.bouncycastle.tls.crypto.TlsDHConfig;
import org.bouncycastle.tls.crypto.TlsECConfig;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/**
 * Bouncy Castle's JCA-based TLS crypto over {@link FallbackJcaJceHelper}. Thread-safe.
 *
 * <p>A named group counts as supported only if a key agreement over it really works here: {@link
 * JcaTlsCrypto} asks only whether the provider knows the curve's parameters, and the JDK's provider
 * knows the parameters of binary and Brainpool curves whose key agreement it no longer implements.
 * Each group is tested once (two ephemeral keys, both sides of the agreement, equal secrets) and
 * the answer cached, so a server never picks a group it then fails on with {@code internal_error}.
 */
final class ShredcacheTlsCrypto extends JcaTlsCrypto {
  ShredcacheTlsCrypto(Provider fallback) {
    super(new FallbackJcaJceHelper(fallback), new SecureRandom(), new SecureRandom());
  }

  @Override
  protected Boolean isSupportedNamedGroup(int namedGroup) {
    Boolean claimed = super.isSupportedNamedGroup(namedGroup);
    if (!Boolean.TRUE.equals(claimed)) {
      return claimed;
    }
    try {
      if (NamedGroup.refersToAnECDHCurve(namedGroup)) {
        TlsECConfig ec = new TlsECConfig(namedGroup);
        return agreementWorks(createECDomain(ec).createECDH(), createECDomain(ec).createECDH());
      }
      if (NamedGroup.refersToASpecificFiniteField(namedGroup)) {
        TlsDHConfig dh = new TlsDHConfig(namedGroup, true);
        return agreementWorks(createDHDomain(dh).createDH(), createDHDomain(dh).createDH());
      }
      return claimed;
    } catch (IOException | RuntimeException e) {
      return Boolean.FALSE;
    }
  }

  private static boolean agreementWorks(TlsAgreement a, TlsAgreement b) throws IOException {
    byte[] fromA = a.generateEphemeral();
    byte[] fromB = b.generateEphemeral();
    a.receivePeerValue(fromB);
    b.receivePeerValue(fromA);
    byte[] secretA = a.calculateSecret().extract();
    byte[] secretB = b.calculateSecret().extract();
    try {
      return secretA.length > 0 && MessageDigest.isEqual(secretA, secretB);
    } finally {
      Arrays.fill(secretA, (byte) 0);
      Arrays.fill(secretB, (byte) 0);
    }
  }
}
