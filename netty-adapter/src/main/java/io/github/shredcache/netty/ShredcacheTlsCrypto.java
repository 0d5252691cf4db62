package io.github.shredcache.netty;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import org.bouncycastle.jcajce.util.DefaultJcaJceHelper;
import org.bouncycastle.jcajce.util.JcaJceHelper;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.crypto.TlsAgreement;
import org.bouncycastle.tls.crypto.TlsDHConfig;
import org.bouncycastle.tls.crypto.TlsECConfig;
import org.bouncycastle.tls.crypto.TlsECDomain;
import org.bouncycastle.tls.crypto.TlsStreamSigner;
import org.bouncycastle.tls.crypto.TlsStreamVerifier;
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
  private static final JcaJceHelper JDK = new DefaultJcaJceHelper();
  private final LightweightX25519 x25519;

  ShredcacheTlsCrypto(Provider fallback) {
    this(fallback, newRandom(), newRandom());
  }

  private ShredcacheTlsCrypto(Provider fallback, SecureRandom entropy, SecureRandom nonces) {
    super(new FallbackJcaJceHelper(fallback), entropy, nonces);
    this.x25519 = new LightweightX25519(this, entropy);
  }

  /**
   * One generator per context, shared by its connections: the JDK's DRBG (NIST SP 800-90A
   * Hash_DRBG with SHA-256, reseeded from the OS), thread-safe; the Linux default ({@code
   * NativePRNG}) if DRBG is missing.
   */
  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  /** X25519 on Bouncy Castle's arithmetic (see {@link LightweightX25519}); other groups as usual. */
  @Override
  public TlsECDomain createECDomain(TlsECConfig ecConfig) {
    if (ecConfig.getNamedGroup() == NamedGroup.x25519) {
      return x25519;
    }
    return super.createECDomain(ecConfig);
  }

  /**
   * RSA-PSS signatures through the JDK's {@code RSASSA-PSS} (SunRsaSign, CRT with intrinsics)
   * rather than the {@code SHA256WITHRSAANDMGF1} name, which only Bouncy Castle's provider knows
   * and which signs several times slower. Same parameters (PSS, MGF1, salt = hash length).
   */
  @Override
  protected TlsStreamSigner createStreamSigner(String algorithmName, AlgorithmParameterSpec parameter,
      PrivateKey privateKey, boolean needsRandom) throws IOException {
    if (parameter instanceof PSSParameterSpec && algorithmName.endsWith("WITHRSAANDMGF1")) {
      try {
        return createStreamSigner(JDK, "RSASSA-PSS", parameter, privateKey,
            needsRandom ? getSecureRandom() : null);
      } catch (GeneralSecurityException e) {
        // fall through to the provider Bouncy Castle's TLS names
      }
    }
    return super.createStreamSigner(algorithmName, parameter, privateKey, needsRandom);
  }

  /** The same mapping for verifying a client's RSA-PSS CertificateVerify. */
  @Override
  protected TlsStreamVerifier createStreamVerifier(String algorithmName,
      AlgorithmParameterSpec parameter, byte[] extraSignatureInput, PublicKey publicKey)
      throws IOException {
    if (parameter instanceof PSSParameterSpec && algorithmName.endsWith("WITHRSAANDMGF1")) {
      return super.createStreamVerifier("RSASSA-PSS", parameter, extraSignatureInput, publicKey);
    }
    return super.createStreamVerifier(algorithmName, parameter, extraSignatureInput, publicKey);
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
