package io.github.shredcache.netty;

import io.github.shredcache.core.SessionCache;
import io.netty.handler.ssl.ClientAuth;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link ShredcacheSslContext}, in the spirit of Netty's {@code
 * SslContextBuilder.forServer(..)}. Every setting can be set once; {@link #build()} validates them
 * and fails with a message that says the fix.
 *
 * <p>Defaults: protocols TLS 1.3 and TLS 1.2; the ECDHE AEAD suites (AES-GCM, ChaCha20-Poly1305)
 * that match the key (RSA or ECDSA); no ALPN; no client authentication; no session cache (then no
 * session is resumable); the session cache's {@link SessionCache#maxSessionLifetime() lifetime}
 * (which comes from the key ratchet: the lifetime is set once, there).
 *
 * <p>Timeouts: the ClientHello prefetch waits for {@link SessionCache#lookup}, which completes
 * within the store's own operation timeout (for memcached, {@code
 * MemcachedSessionStoreBuilder.operationTimeout}, 50 ms by default): that is the one budget a
 * handshake spends on the store. A fixed backstop of {@value #PREFETCH_BACKSTOP_SECONDS} s only
 * guards against a cache or store that breaks that contract. Not thread-safe.
 */
public final class ShredcacheSslContextBuilder {
  private static final BouncyCastleProvider BC_PROVIDER = new BouncyCastleProvider();
  private final PrivateKey key;
  private final X509Certificate[] chain;
  // Null until set; build() applies the defaults.
  private @Nullable SessionCache cache;
  private @Nullable List<String> protocols;
  private @Nullable List<String> alpn;
  private @Nullable ClientAuth clientAuth;
  private X509Certificate @Nullable [] trusted;
  /** How long a prefetch may wait at most, whatever the cache does (a guard, not a budget). */
  static final long PREFETCH_BACKSTOP_SECONDS = 5;
  /** What the session context reports without a cache (nothing resumes then). */
  static final Duration DEFAULT_LIFETIME_WITHOUT_CACHE = Duration.ofMinutes(5);

  private @Nullable Duration sessionLifetime;
  private @Nullable Duration prefetchBackstop;
  private @Nullable Boolean nativeSigning;

  private ShredcacheSslContextBuilder(PrivateKey key, X509Certificate[] chain) {
    this.key = key;
    this.chain = chain;
  }

  /**
   * Starts a builder from PEM files: the certificate chain (leaf first) and its private key
   * (PKCS#8 {@code PRIVATE KEY}, or {@code RSA}/{@code EC PRIVATE KEY}, unencrypted).
   *
   * @throws IllegalArgumentException if a file cannot be read or parsed (the message names it)
   */
  public static ShredcacheSslContextBuilder forServer(File keyCertChainPemFile, File keyPemFile) {
    Objects.requireNonNull(keyCertChainPemFile, "keyCertChainPemFile");
    Objects.requireNonNull(keyPemFile, "keyPemFile");
    return new ShredcacheSslContextBuilder(readKey(keyPemFile), readChain(keyCertChainPemFile));
  }

  /** Starts a builder from JCA objects: the private key and its certificate chain, leaf first. */
  public static ShredcacheSslContextBuilder forServer(PrivateKey key,
      X509Certificate... keyCertChain) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(keyCertChain, "keyCertChain");
    if (keyCertChain.length == 0) {
      throw new IllegalArgumentException("keyCertChain must hold at least the leaf certificate");
    }
    for (X509Certificate c : keyCertChain) {
      Objects.requireNonNull(c, "keyCertChain element");
    }
    return new ShredcacheSslContextBuilder(key, keyCertChain.clone());
  }

  /**
   * The cache that stores and finds TLS 1.2 sessions. Unset: no session is resumable (clients
   * always get full handshakes). The context does not own the cache: close it yourself.
   */
  public ShredcacheSslContextBuilder sessionCache(SessionCache cache) {
    requireUnset(this.cache, "sessionCache");
    this.cache = Objects.requireNonNull(cache, "cache");
    return this;
  }

  /** The protocols to offer: {@code "TLSv1.3"} and/or {@code "TLSv1.2"}. Default both. */
  public ShredcacheSslContextBuilder protocols(String... protocols) {
    requireUnset(this.protocols, "protocols");
    List<String> list = List.of(protocols);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("protocols: name at least one of TLSv1.3, TLSv1.2");
    }
    for (String p : list) {
      if (!ServerConfig.TLS13.equals(p) && !ServerConfig.TLS12.equals(p)) {
        throw new IllegalArgumentException(
            "protocols: only TLSv1.3 and TLSv1.2 are supported, was '" + p + "'");
      }
    }
    this.protocols = list;
    return this;
  }

  /** The ALPN protocols in server preference order, e.g. {@code "h2", "http/1.1"}. */
  public ShredcacheSslContextBuilder applicationProtocols(String... alpn) {
    requireUnset(this.alpn, "applicationProtocols");
    List<String> list = List.of(alpn);
    for (String p : list) {
      if (p.isEmpty() || p.getBytes(StandardCharsets.UTF_8).length > 255) {
        throw new IllegalArgumentException(
            "applicationProtocols: each name needs 1 to 255 bytes, was '" + p + "'");
      }
    }
    this.alpn = list;
    return this;
  }

  /** Client authentication: {@code NONE} (default), {@code OPTIONAL} or {@code REQUIRE}. */
  public ShredcacheSslContextBuilder clientAuth(ClientAuth mode) {
    requireUnset(this.clientAuth, "clientAuth");
    this.clientAuth = Objects.requireNonNull(mode, "mode");
    return this;
  }

  /** The certificates client certificates must chain to (needed for client authentication). */
  public ShredcacheSslContextBuilder trustManager(X509Certificate... trusted) {
    requireUnset(this.trusted, "trustManager");
    if (trusted.length == 0) {
      throw new IllegalArgumentException("trustManager: give at least one certificate");
    }
    this.trusted = trusted.clone();
    return this;
  }

  /**
   * How long after its full handshake a session of this context may be resumed: at most the
   * session cache's {@link SessionCache#maxSessionLifetime()}, which is also the default. Set it
   * only to make this context's sessions shorter than the cluster's.
   */
  public ShredcacheSslContextBuilder sessionLifetime(Duration lifetime) {
    requireUnset(this.sessionLifetime, "sessionLifetime");
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("sessionLifetime must be positive, was " + lifetime);
    }
    this.sessionLifetime = lifetime;
    return this;
  }

  /**
   * Whether the server signs through Amazon Corretto Crypto Provider (AWS-LC) when that provider
   * is on the class path ({@code software.amazon.cryptools:AmazonCorrettoCryptoProvider} with the
   * platform's classifier) and its native library loads. Default {@code true}: an RSA-2048
   * signature then costs about a quarter of the JDK's (with the JDK's providers the signature is
   * most of a full handshake's CPU). The provider is only used for this context's signatures,
   * with its own copy of the key; it is not installed as a JCA provider. Without it, or with
   * {@code false}, signatures go through the JDK's providers.
   */
  public ShredcacheSslContextBuilder nativeSigning(boolean enabled) {
    requireUnset(this.nativeSigning, "nativeSigning");
    this.nativeSigning = enabled;
    return this;
  }

  /** Tests only: a shorter backstop for the prefetch than {@value #PREFETCH_BACKSTOP_SECONDS} s. */
  ShredcacheSslContextBuilder prefetchBackstop(Duration backstop) {
    requireUnset(this.prefetchBackstop, "prefetchBackstop");
    this.prefetchBackstop = backstop;
    return this;
  }

  /**
   * Returns a new immutable, thread-safe context.
   *
   * @throws SSLException if the key and certificate do not match or cannot be used
   * @throws IllegalStateException if the settings contradict each other (the message says how)
   */
  public ShredcacheSslContext build() throws SSLException {
    if (!(key instanceof RSAKey) && !(key instanceof ECKey)) {
      throw new SSLException("the server key must be RSA or EC, was " + key.getAlgorithm());
    }
    checkKeyMatchesCertificate();
    ClientAuth auth = clientAuth == null ? ClientAuth.NONE : clientAuth;
    X509TrustManager tm = null;
    if (auth != ClientAuth.NONE) {
      if (trusted == null) {
        throw new IllegalStateException(
            "clientAuth(" + auth + ") needs trustManager(..) with the client CA certificates");
      }
      tm = newTrustManager(trusted);
    }
    Duration lifetime = sessionLifetime;
    if (cache != null) {
      Duration cluster = cache.maxSessionLifetime();
      if (lifetime == null) {
        lifetime = cluster;
      } else if (lifetime.compareTo(cluster) > 0) {
        throw new IllegalStateException("sessionLifetime " + lifetime + " is longer than the session"
            + " cache keeps sessions (" + cluster + "): leave sessionLifetime unset to use the"
            + " cache's, or set the lifetime once, in KeyRatchet.fromToken(token, " + lifetime
            + ", clock)");
      }
    } else if (lifetime == null) {
      lifetime = DEFAULT_LIFETIME_WITHOUT_CACHE;
    }
    try {
      // The JDK's providers first (AES-GCM, SHA-2, ECDH, RSA with intrinsics); Bouncy Castle's
      // provider (not installed globally) as the alternate for what they lack, e.g. the
      // "SHA256WITHRSAANDMGF1" (RSA-PSS) signer that TLS 1.3 with RSA keys needs.
      JcaTlsCrypto crypto = new ShredcacheTlsCrypto(BC_PROVIDER);
      NativeSigner signer = Boolean.FALSE.equals(nativeSigning) ? null
          : NativeSigner.create(key, chain[0].getPublicKey());
      ServerConfig config = new ServerConfig(crypto, key, signer, chain,
          protocols == null ? List.of(ServerConfig.TLS13, ServerConfig.TLS12) : protocols,
          alpn == null ? List.of() : alpn, auth, tm, cache,
          lifetime,
          prefetchBackstop == null ? Duration.ofSeconds(PREFETCH_BACKSTOP_SECONDS) : prefetchBackstop);
      if (config.cipherSuites.length == 0) {
        throw new SSLException("no cipher suite available for this key and these protocols");
      }
      return new ShredcacheSslContext(config);
    } catch (IOException e) {
      throw e instanceof SSLException ? (SSLException) e : new SSLException(e.getMessage(), e);
    }
  }

  private void checkKeyMatchesCertificate() throws SSLException {
    try {
      Signature s =
          Signature.getInstance(key instanceof RSAKey ? "SHA256withRSA" : "SHA256withECDSA");
      s.initSign(key);
      if (!signsFor(s, chain[0].getPublicKey())) {
        throw new SSLException(
            "the private key does not match the first certificate of the chain (the leaf)");
      }
    } catch (GeneralSecurityException e) {
      throw new SSLException(
          "the private key does not match the first certificate of the chain (the leaf)", e);
    }
  }

  /**
   * Whether {@code signer} (initialized with a private key) makes signatures that the JDK verifies
   * with {@code publicKey}: signs a fixed probe and checks it.
   */
  static boolean signsFor(Signature signer, PublicKey publicKey) throws GeneralSecurityException {
    byte[] probe = "shredcache key check".getBytes(StandardCharsets.US_ASCII);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(signer.getAlgorithm());
    verifier.initVerify(publicKey);
    verifier.update(probe);
    return verifier.verify(signature);
  }

  private static X509TrustManager newTrustManager(X509Certificate[] trusted) throws SSLException {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      for (int i = 0; i < trusted.length; i++) {
        ks.setCertificateEntry("trusted-" + i, trusted[i]);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      for (TrustManager t : tmf.getTrustManagers()) {
        if (t instanceof X509TrustManager) {
          return (X509TrustManager) t;
        }
      }
      throw new SSLException("no X509TrustManager available");
    } catch (GeneralSecurityException | IOException e) {
      throw new SSLException("cannot build the client trust manager", e);
    }
  }

  private static void requireUnset(@Nullable Object value, String name) {
    if (value != null) {
      throw new IllegalStateException(name + " was already set");
    }
  }

  static X509Certificate[] readChain(File file) {
    try (InputStream in = new FileInputStream(file)) {
      List<X509Certificate> out = new ArrayList<>();
      for (java.security.cert.Certificate c :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("no certificate found in " + file
            + ": expected PEM '-----BEGIN CERTIFICATE-----' blocks, leaf first");
      }
      return out.toArray(new X509Certificate[0]);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read certificate chain " + file + ": "
          + e.getMessage() + " (expected PEM certificates, leaf first)", e);
    }
  }

  static PrivateKey readKey(File file) {
    try (Reader r = Files.newBufferedReader(file.toPath(), StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair) {
        return conv.getKeyPair((PEMKeyPair) o).getPrivate();
      }
      if (o instanceof PrivateKeyInfo) {
        return conv.getPrivateKey((PrivateKeyInfo) o);
      }
      throw new IllegalArgumentException("no unencrypted private key found in " + file
          + ": expected PEM 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY'");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read private key " + file + ": "
          + e.getMessage(), e);
    }
  }
}
