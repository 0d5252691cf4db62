package io.github.shredcache.netty;

import io.github.shredcache.core.SessionCache;
import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Vector;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.jspecify.annotations.Nullable;

/** Everything an engine needs, immutable after construction and shared by all engines. */
final class ServerConfig {
  static final String TLS13 = "TLSv1.3";
  static final String TLS12 = "TLSv1.2";

  private static final int[] TLS13_SUITES = {
    CipherSuite.TLS_AES_128_GCM_SHA256,
    CipherSuite.TLS_AES_256_GCM_SHA384,
    CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
  };
  private static final int[] ECDSA_SUITES = {
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  };
  private static final int[] RSA_SUITES = {
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
  };

  /**
   * The named groups of ECDHE, in server preference order (TLS 1.2 takes the first the client
   * lists; TLS 1.3 the first of the client's list that is here, which saves a HelloRetryRequest).
   * FFDHE is not offered: both engines run ECDHE only.
   */
  private static final int[] GROUPS = {
    NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.x448,
    NamedGroup.secp521r1,
  };
  private static final short[] SHA2 = {HashAlgorithm.sha256, HashAlgorithm.sha384,
      HashAlgorithm.sha512};
  private static final SignatureAndHashAlgorithm[] RSA_PSS = {
    SignatureAndHashAlgorithm.rsa_pss_rsae_sha256,
    SignatureAndHashAlgorithm.rsa_pss_rsae_sha384,
    SignatureAndHashAlgorithm.rsa_pss_rsae_sha512,
  };

  final JcaTlsCrypto crypto;
  final PrivateKey privateKey;
  /** Signs with the native provider's copy of {@link #privateKey}; null: the JCA signers. */
  final @Nullable NativeSigner nativeSigner;
  final X509Certificate[] chain;
  final Certificate certificate12;
  final Certificate certificate13;
  final boolean rsaKey;
  /** For ECDSA keys in TLS 1.3: the hash the curve is bound to (P-256: SHA-256, ...). */
  final short ecdsaHash13;
  /** The groups this crypto can really agree on, in {@link #GROUPS} order; never empty. */
  final int[] groups;
  /** The named curve of an ECDSA certificate (secp256r1, ...), or -1 (RSA, or unnamed). */
  final int certificateCurve;
  /** The schemes the server signs with, in preference order, per protocol. */
  final List<SignatureAndHashAlgorithm> signatures12;
  final List<SignatureAndHashAlgorithm> signatures13;
  final int[] cipherSuites;
  final List<String> cipherSuiteNames;
  final ProtocolVersion[] versions;
  final List<String> protocolNames;
  final @Nullable Vector<ProtocolName> alpn; // null: no ALPN
  final List<String> alpnNames;
  final ClientAuth clientAuth;
  final @Nullable X509TrustManager trustManager; // with client authentication only
  final @Nullable SessionCache cache; // null: no resumption across connections
  final Duration sessionLifetime;
  final Duration prefetchTimeout;
  final SSLSessionContext sessionContext;
  /**
   * The identity a session is bound to, per client authentication mode (an engine may change its
   * mode); OPTIONAL and REQUIRE only with a trust manager.
   */
  private final Map<ClientAuth, ResumptionContext> resumptionContexts =
      new EnumMap<>(ClientAuth.class);

  ServerConfig(JcaTlsCrypto crypto, PrivateKey privateKey, @Nullable NativeSigner nativeSigner,
      X509Certificate[] chain,
      List<String> protocols, List<String> alpnNames, ClientAuth clientAuth,
      @Nullable X509TrustManager trustManager, @Nullable SessionCache cache, Duration sessionLifetime,
      Duration prefetchTimeout) throws IOException {
    this.crypto = crypto;
    this.privateKey = privateKey;
    this.nativeSigner = nativeSigner;
    this.chain = chain.clone();
    TlsCertificate[] tlsCerts = new TlsCertificate[chain.length];
    CertificateEntry[] entries = new CertificateEntry[chain.length];
    for (int i = 0; i < chain.length; i++) {
      try {
        tlsCerts[i] = crypto.createCertificate(chain[i].getEncoded());
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new IOException("certificate " + i + " cannot be encoded", e);
      }
      entries[i] = new CertificateEntry(tlsCerts[i], null);
    }
    this.certificate12 = new Certificate(tlsCerts);
    this.certificate13 = new Certificate(TlsUtils.EMPTY_BYTES, entries);
    this.rsaKey = privateKey instanceof RSAKey;
    if (privateKey instanceof ECKey) {
      int bits = ((ECKey) privateKey).getParams().getCurve().getField().getFieldSize();
      this.ecdsaHash13 = bits <= 256 ? HashAlgorithm.sha256
          : bits <= 384 ? HashAlgorithm.sha384 : HashAlgorithm.sha512;
    } else {
      this.ecdsaHash13 = HashAlgorithm.sha256;
    }
    this.groups = Arrays.stream(GROUPS).filter(crypto::hasNamedGroup).toArray();
    if (groups.length == 0) {
      throw new IOException("no ECDHE group works with the installed JCA providers");
    }
    this.certificateCurve = namedCurve(chain[0].getPublicKey());
    List<SignatureAndHashAlgorithm> s12 = new ArrayList<>();
    List<SignatureAndHashAlgorithm> s13 = new ArrayList<>();
    if (rsaKey) {
      s12.addAll(List.of(RSA_PSS));
      s13.addAll(List.of(RSA_PSS));
      for (short hash : SHA2) {
        s12.add(SignatureAndHashAlgorithm.getInstance(hash, SignatureAlgorithm.rsa));
      }
    } else {
      for (short hash : SHA2) {
        s12.add(SignatureAndHashAlgorithm.getInstance(hash, SignatureAlgorithm.ecdsa));
      }
      s13.add(SignatureAndHashAlgorithm.getInstance(ecdsaHash13, SignatureAlgorithm.ecdsa));
    }
    s12.removeIf(a -> !crypto.hasSignatureAndHashAlgorithm(a));
    s13.removeIf(a -> !crypto.hasSignatureAndHashAlgorithm(a));
    this.signatures12 = List.copyOf(s12);
    this.signatures13 = List.copyOf(s13);
    boolean tls13 = protocols.contains(TLS13);
    boolean tls12 = protocols.contains(TLS12);
    List<ProtocolVersion> v = new ArrayList<>();
    if (tls13) {
      v.add(ProtocolVersion.TLSv13);
    }
    if (tls12) {
      v.add(ProtocolVersion.TLSv12);
    }
    this.versions = v.toArray(new ProtocolVersion[0]);
    this.protocolNames = List.copyOf(protocols);
    List<Integer> suites = new ArrayList<>();
    if (tls13) {
      for (int s : TLS13_SUITES) {
        suites.add(s);
      }
    }
    if (tls12) {
      for (int s : rsaKey ? RSA_SUITES : ECDSA_SUITES) {
        suites.add(s);
      }
    }
    int[] all = suites.stream().mapToInt(Integer::intValue).toArray();
    this.cipherSuites = TlsUtils.getSupportedCipherSuites(crypto, all);
    List<String> names = new ArrayList<>();
    for (int s : cipherSuites) {
      names.add(cipherSuiteName(s));
    }
    this.cipherSuiteNames = Collections.unmodifiableList(names);
    this.alpnNames = List.copyOf(alpnNames);
    if (alpnNames.isEmpty()) {
      this.alpn = null;
    } else {
      this.alpn = new Vector<>();
      for (String n : alpnNames) {
        alpn.add(ProtocolName.asUtf8Encoding(n));
      }
    }
    this.clientAuth = clientAuth;
    this.trustManager = trustManager;
    this.cache = cache;
    this.sessionLifetime = sessionLifetime;
    this.prefetchTimeout = prefetchTimeout;
    this.sessionContext = new ShredcacheSessionContext(sessionLifetime);
    resumptionContexts.put(ClientAuth.NONE, ResumptionContext.of(chain, ClientAuth.NONE));
    if (trustManager != null) {
      X509Certificate[] cas = trustManager.getAcceptedIssuers();
      for (ClientAuth mode : new ClientAuth[] {ClientAuth.OPTIONAL, ClientAuth.REQUIRE}) {
        resumptionContexts.put(mode, ResumptionContext.of(chain, mode, cas));
      }
    }
  }

  /** The identity of this configuration under {@code clientAuth}, or null if it cannot have it. */
  @Nullable ResumptionContext resumptionContext(ClientAuth clientAuth) {
    return resumptionContexts.get(clientAuth);
  }

  /** The TLS named group of an EC public key on a NIST curve, else -1. */
  private static int namedCurve(PublicKey key) {
    if (!(key instanceof ECPublicKey)) {
      return -1;
    }
    ECParameterSpec params = ((ECPublicKey) key).getParams();
    for (int group : new int[] {NamedGroup.secp256r1, NamedGroup.secp384r1,
        NamedGroup.secp521r1}) {
      try {
        AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
        ap.init(new ECGenParameterSpec(NamedGroup.getCurveName(group)));
        ECParameterSpec named = ap.getParameterSpec(ECParameterSpec.class);
        if (named.getCurve().equals(params.getCurve()) && named.getOrder().equals(params.getOrder())
            && named.getGenerator().equals(params.getGenerator())) {
          return group;
        }
      } catch (GeneralSecurityException e) {
        // this provider does not know the curve: it cannot be the key's
      }
    }
    return -1;
  }

  static String cipherSuiteName(int suite) {
    switch (suite) {
      case CipherSuite.TLS_AES_128_GCM_SHA256:
        return "TLS_AES_128_GCM_SHA256";
      case CipherSuite.TLS_AES_256_GCM_SHA384:
        return "TLS_AES_256_GCM_SHA384";
      case CipherSuite.TLS_CHACHA20_POLY1305_SHA256:
        return "TLS_CHACHA20_POLY1305_SHA256";
      case CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
        return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
      case CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
        return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
      case CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
        return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
      case CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
        return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
      case CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
        return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
      case CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
        return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
      default:
        return String.format("0x%04X", suite);
    }
  }

  static String protocolName(ProtocolVersion v) {
    if (ProtocolVersion.TLSv13.equals(v)) {
      return TLS13;
    }
    if (ProtocolVersion.TLSv12.equals(v)) {
      return TLS12;
    }
    return v == null ? "NONE" : v.getName();
  }
}
