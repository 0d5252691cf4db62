package io.github.shredcache.netty;

import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.KeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsSigner;
import org.bouncycastle.tls.crypto.TlsStreamSigner;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's signatures (ServerKeyExchange in TLS 1.2, CertificateVerify in TLS 1.3) through
 * Amazon Corretto Crypto Provider, which runs AWS-LC (BoringSSL's successor at AWS) behind the JCA,
 * when that provider is on the class path and its native library loaded. An RSA-2048 signature
 * costs about a quarter of what the JDK's SunRsaSign needs, an ECDSA P-256 one a twentieth; with
 * the JDK's providers the signature was most of a full handshake's CPU.
 *
 * <p>The private key is translated into the provider's own key once, when the context is built,
 * from the key's own components (no encoded copy of it is made here); the provider keeps it in
 * native memory and clears it when the key is collected. A translation that does not verify
 * against the certificate's public key is not used. Signing schemes: RSA-PSS (rsae) and RSA
 * PKCS#1 v1.5 with SHA-2, ECDSA with SHA-2. Thread-safe: one instance per context, shared by its
 * connections, each signature on a fresh {@link Signature}.
 *
 * <p>Without the provider (or with {@link ShredcacheSslContextBuilder#nativeSigning(boolean)
 * nativeSigning(false)}) the engine signs through the JDK's providers.
 */
final class NativeSigner implements TlsSigner {
  private static final Logger log = LoggerFactory.getLogger(NativeSigner.class);
  private static final String ACCP = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

  private final Provider provider;
  private final PrivateKey key;
  private final boolean rsa;

  private NativeSigner(Provider provider, PrivateKey key, boolean rsa) {
    this.provider = provider;
    this.key = key;
    this.rsa = rsa;
  }

  /** The provider that signs (its name is what the context's signatureProvider() reports). */
  Provider provider() {
    return provider;
  }

  /**
   * A signer for {@code key} through the native provider, or null when the provider is absent,
   * unhealthy, or cannot take this key (logged at DEBUG, or WARN when the provider is present
   * but broken).
   */
  static @Nullable NativeSigner create(PrivateKey key, PublicKey certificateKey) {
    Provider provider = Accp.PROVIDER;
    if (provider == null) {
      return null;
    }
    return create(provider, key, certificateKey);
  }

  static @Nullable NativeSigner create(Provider provider, PrivateKey key, PublicKey certificateKey) {
    try {
      KeySpec spec;
      String algorithm;
      boolean rsa;
      if (key instanceof RSAPrivateCrtKey) {
        RSAPrivateCrtKey k = (RSAPrivateCrtKey) key;
        spec = new RSAPrivateCrtKeySpec(k.getModulus(), k.getPublicExponent(),
            k.getPrivateExponent(), k.getPrimeP(), k.getPrimeQ(), k.getPrimeExponentP(),
            k.getPrimeExponentQ(), k.getCrtCoefficient());
        algorithm = "RSA";
        rsa = true;
      } else if (key instanceof ECPrivateKey) {
        ECPrivateKey k = (ECPrivateKey) key;
        spec = new ECPrivateKeySpec(k.getS(), k.getParams());
        algorithm = "EC";
        rsa = false;
      } else {
        log.debug("native signing not used: {} keys are signed through the JDK's providers",
            key.getAlgorithm());
        return null;
      }
      PrivateKey translated = KeyFactory.getInstance(algorithm, provider).generatePrivate(spec);
      NativeSigner signer = new NativeSigner(provider, translated, rsa);
      if (!signer.verifies(certificateKey)) {
        log.warn("native signing not used: {} signs with this key, but the certificate's public key"
            + " does not verify it", provider.getName());
        return null;
      }
      log.debug("server signatures through {} {}", provider.getName(), provider.getVersionStr());
      return signer;
    } catch (GeneralSecurityException | RuntimeException e) {
      log.warn("native signing not used: {} cannot take the server key ({})", provider.getName(),
          e.getClass().getSimpleName());
      return null;
    }
  }

  private boolean verifies(PublicKey certificateKey) throws GeneralSecurityException {
    return ShredcacheSslContextBuilder.signsFor(
        newSignature(rsa ? "SHA256withRSA" : "SHA256withECDSA", null), certificateKey);
  }

  /** Whether this signer produces {@code alg}; the engine uses Bouncy Castle's JCA signer if not. */
  boolean supports(SignatureAndHashAlgorithm alg) {
    return jcaName(alg) != null;
  }

  private @Nullable String jcaName(SignatureAndHashAlgorithm alg) {
    String hash = hashName(alg);
    if (rsa && isRsaPssRsae(alg)) {
      return "RSASSA-PSS";
    }
    if (hash == null) {
      return null;
    }
    if (rsa && alg.getSignature() == SignatureAlgorithm.rsa) {
      return hash.replace("-", "") + "withRSA";
    }
    if (!rsa && alg.getSignature() == SignatureAlgorithm.ecdsa) {
      return hash.replace("-", "") + "withECDSA";
    }
    return null;
  }

  private static boolean isRsaPssRsae(SignatureAndHashAlgorithm alg) {
    return alg.equals(SignatureAndHashAlgorithm.rsa_pss_rsae_sha256)
        || alg.equals(SignatureAndHashAlgorithm.rsa_pss_rsae_sha384)
        || alg.equals(SignatureAndHashAlgorithm.rsa_pss_rsae_sha512);
  }

  /** The JCA digest name of a SHA-2 scheme; for RSA-PSS (rsae) the hash its code point names. */
  private static @Nullable String hashName(SignatureAndHashAlgorithm alg) {
    if (isRsaPssRsae(alg)) {
      return alg.equals(SignatureAndHashAlgorithm.rsa_pss_rsae_sha256) ? "SHA-256"
          : alg.equals(SignatureAndHashAlgorithm.rsa_pss_rsae_sha384) ? "SHA-384" : "SHA-512";
    }
    switch (alg.getHash()) {
      case HashAlgorithm.sha256:
        return "SHA-256";
      case HashAlgorithm.sha384:
        return "SHA-384";
      case HashAlgorithm.sha512:
        return "SHA-512";
      default:
        return null;
    }
  }

  @Override
  public TlsStreamSigner getStreamSigner(SignatureAndHashAlgorithm alg) throws IOException {
    String name = jcaName(alg);
    if (name == null) {
      throw new TlsFatalAlert(AlertDescription.internal_error,
          "native signer asked for an unsupported scheme " + alg);
    }
    try {
      String hash = hashName(alg);
      return new StreamSigner(newSignature(name, isRsaPssRsae(alg) && hash != null ? pss(hash) : null));
    } catch (GeneralSecurityException e) {
      throw new TlsFatalAlert(AlertDescription.internal_error, "native signer failed", e);
    }
  }

  /** RSA-PSS parameters as TLS uses them: MGF1 with the same hash, salt as long as the hash. */
  static PSSParameterSpec pss(String hash) {
    int saltLength = "SHA-256".equals(hash) ? 32 : "SHA-384".equals(hash) ? 48 : 64;
    return new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), saltLength,
        PSSParameterSpec.TRAILER_FIELD_BC);
  }

  /** A signature of the provider's, set up with {@code params} and initialized with the key. */
  Signature newSignature(String jcaName, @Nullable PSSParameterSpec params)
      throws GeneralSecurityException {
    Signature signature = Signature.getInstance(jcaName, provider);
    if (params != null) {
      signature.setParameter(params);
    }
    signature.initSign(key);
    return signature;
  }

  /** Whether the key is RSA (else EC). */
  boolean rsa() {
    return rsa;
  }

  /**
   * Not reached: Bouncy Castle asks {@link #getStreamSigner} first, and the engine only hands this
   * signer the schemes {@link #supports} admits, each of which has a stream signer.
   */
  @Override
  public byte[] generateRawSignature(SignatureAndHashAlgorithm alg, byte[] hash)
      throws IOException {
    throw new TlsFatalAlert(AlertDescription.internal_error,
        "native signer has no raw signature for " + alg);
  }

  /** A {@link Signature} fed by the handshake as it writes the signed content. */
  private static final class StreamSigner implements TlsStreamSigner {
    private final Signature signature;
    private final OutputStream out;

    StreamSigner(Signature signature) {
      this.signature = signature;
      this.out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          try {
            signature.update((byte) b);
          } catch (SignatureException e) {
            throw new IOException(e);
          }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          try {
            signature.update(b, off, len);
          } catch (SignatureException e) {
            throw new IOException(e);
          }
        }
      };
    }

    @Override
    public OutputStream getOutputStream() {
      return out;
    }

    @Override
    public byte[] getSignature() throws IOException {
      try {
        return signature.sign();
      } catch (SignatureException e) {
        throw new TlsFatalAlert(AlertDescription.internal_error, "native signer failed", e);
      }
    }
  }

  /** The provider, looked up once: null when it is not on the class path or did not load. */
  private static final class Accp {
    static final @Nullable Provider PROVIDER = load();

    private static @Nullable Provider load() {
      Class<?> type;
      try {
        type = Class.forName(ACCP);
      } catch (ClassNotFoundException | LinkageError e) {
        log.debug("native signing not used: Amazon Corretto Crypto Provider is not on the class"
            + " path");
        return null;
      }
      try {
        Provider provider = (Provider) type.getField("INSTANCE").get(null);
        type.getMethod("assertHealthy").invoke(provider);
        return provider;
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        log.warn("native signing not used: Amazon Corretto Crypto Provider is on the class path"
            + " but did not load ({}: {}); signatures go through the JDK's providers",
            cause.getClass().getSimpleName(), cause.getMessage());
        return null;
      }
    }
  }
}
