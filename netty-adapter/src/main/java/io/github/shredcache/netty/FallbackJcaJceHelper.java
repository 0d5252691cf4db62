package io.github.shredcache.netty;

import java.security.AlgorithmParameterGenerator;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathValidator;
import java.security.cert.CertStore;
import java.security.cert.CertStoreParameters;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import javax.crypto.Cipher;
import javax.crypto.ExemptionMechanism;
import javax.crypto.KeyAgreement;
import javax.crypto.KeyGenerator;
import javax.crypto.Mac;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKeyFactory;
import org.bouncycastle.jcajce.util.DefaultJcaJceHelper;
import org.bouncycastle.jcajce.util.JcaJceHelper;
import org.bouncycastle.jcajce.util.ProviderJcaJceHelper;

/**
 * Asks the JDK's installed providers first (AES-GCM, SHA-2, HMAC, ECDH and RSA with intrinsics)
 * and a private Bouncy Castle provider instance for what they lack, e.g. the
 * {@code SHA256WITHRSAANDMGF1} (RSA-PSS) names Bouncy Castle's TLS uses for TLS 1.3 with RSA keys.
 * Stateless and thread-safe.
 */
final class FallbackJcaJceHelper implements JcaJceHelper {
  private final JcaJceHelper first = new DefaultJcaJceHelper();
  private final JcaJceHelper second;

  FallbackJcaJceHelper(Provider fallback) {
    this.second = new ProviderJcaJceHelper(fallback);
  }

  @FunctionalInterface
  private interface Create<T> {
    T from(JcaJceHelper h) throws GeneralSecurityException;
  }

  private <T> T either(Create<T> c) throws GeneralSecurityException {
    try {
      return c.from(first);
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      return c.from(second);
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> RuntimeException sneaky(Exception e) throws E {
    throw (E) e;
  }

  private <T> T call(Create<T> c) {
    try {
      return either(c);
    } catch (GeneralSecurityException e) {
      throw sneaky(e);
    }
  }

  @Override
  public Cipher createCipher(String a)
      throws NoSuchAlgorithmException, NoSuchPaddingException, NoSuchProviderException {
    return call(h -> h.createCipher(a));
  }

  @Override
  public Mac createMac(String a) throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createMac(a));
  }

  @Override
  public KeyAgreement createKeyAgreement(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createKeyAgreement(a));
  }

  @Override
  public AlgorithmParameterGenerator createAlgorithmParameterGenerator(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createAlgorithmParameterGenerator(a));
  }

  @Override
  public AlgorithmParameters createAlgorithmParameters(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createAlgorithmParameters(a));
  }

  @Override
  public KeyGenerator createKeyGenerator(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createKeyGenerator(a));
  }

  @Override
  public KeyFactory createKeyFactory(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createKeyFactory(a));
  }

  @Override
  public SecretKeyFactory createSecretKeyFactory(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createSecretKeyFactory(a));
  }

  @Override
  public KeyPairGenerator createKeyPairGenerator(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createKeyPairGenerator(a));
  }

  @Override
  @SuppressWarnings("deprecation")
  public MessageDigest createDigest(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createDigest(a));
  }

  @Override
  public MessageDigest createMessageDigest(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createMessageDigest(a));
  }

  @Override
  public Signature createSignature(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createSignature(a));
  }

  @Override
  public CertificateFactory createCertificateFactory(String a)
      throws NoSuchProviderException, CertificateException {
    return call(h -> h.createCertificateFactory(a));
  }

  @Override
  public SecureRandom createSecureRandom(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createSecureRandom(a));
  }

  @Override
  public CertPathBuilder createCertPathBuilder(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createCertPathBuilder(a));
  }

  @Override
  public CertPathValidator createCertPathValidator(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createCertPathValidator(a));
  }

  @Override
  public CertStore createCertStore(String a, CertStoreParameters p)
      throws NoSuchAlgorithmException, InvalidAlgorithmParameterException,
          NoSuchProviderException {
    return call(h -> h.createCertStore(a, p));
  }

  @Override
  public ExemptionMechanism createExemptionMechanism(String a)
      throws NoSuchAlgorithmException, NoSuchProviderException {
    return call(h -> h.createExemptionMechanism(a));
  }

  @Override
  public KeyStore createKeyStore(String a) throws KeyStoreException, NoSuchProviderException {
    try {
      return first.createKeyStore(a);
    } catch (KeyStoreException e) {
      return second.createKeyStore(a);
    }
  }
}
