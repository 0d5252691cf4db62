package io.github.shredcache.netty;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import java.io.File;
import java.security.PrivateKey;
import java.security.interfaces.RSAKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Starting points for ticket mode's server context: Netty {@link SslContextBuilder}s preset for
 * Netty's OpenSSL provider (netty-tcnative-boringssl-static) with the same policy as {@link
 * ShredcacheSslContext}: TLS 1.3 and TLS 1.2, ECDHE key exchange and AEAD suites only (AES-GCM,
 * ChaCha20-Poly1305; no CBC, no static RSA, no DHE). Everything can still be changed on the
 * returned builder (client authentication, ALPN, other suites); remember to make the {@link
 * ResumptionContext} for {@link TicketKeyRotator#start} from the same certificates and client
 * authentication settings.
 *
 * <p>With an RSA key and Amazon Corretto Crypto Provider on the class path (see {@link
 * ShredcacheSslContextBuilder#nativeSigning(boolean)}), the builder also sets {@link
 * OpenSslContextOption#PRIVATE_KEY_METHOD} so that the server's signatures are made by AWS-LC,
 * which signs RSA-2048 in about half the time of the BoringSSL netty-tcnative bundles. BoringSSL
 * then gets the certificate chain only, never the private key. {@link #forServer(boolean,
 * PrivateKey, X509Certificate...) forServer(false, ..)} leaves the signing to BoringSSL.
 *
 * <pre>{@code
 * SslContext openssl = TicketSslContexts.forServer(chainPem, keyPem).build();
 * TicketKeyRotator rotator = TicketKeyRotator.start(openssl,
 *     ResumptionContext.of(chain, ClientAuth.NONE), ratchet);
 * SslContext ctx = rotator.sslContext();   // serve with this one
 * }</pre>
 */
public final class TicketSslContexts {
  /**
   * The suites offered, in server preference order: the TLS 1.3 suites, then the TLS 1.2 ECDHE
   * suites with AEAD for ECDSA and for RSA keys (the ones not matching the key are never chosen).
   */
  public static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TicketSslContexts() {}

  /** A server builder from PEM files: the chain (leaf first) and its unencrypted private key. */
  public static SslContextBuilder forServer(File keyCertChainPemFile, File keyPemFile) {
    PrivateKey key;
    X509Certificate[] chain;
    try {
      key = ShredcacheSslContextBuilder.readKey(keyPemFile);
      chain = ShredcacheSslContextBuilder.readChain(keyCertChainPemFile);
    } catch (IllegalArgumentException e) {
      // Netty reads the files itself and reports what is wrong with them at build()
      return preset(SslContextBuilder.forServer(keyCertChainPemFile, keyPemFile));
    }
    return forServer(true, key, chain);
  }

  /** A server builder from JCA objects: the private key and its chain, leaf first. */
  public static SslContextBuilder forServer(PrivateKey key, X509Certificate... keyCertChain) {
    return forServer(true, key, keyCertChain);
  }

  /**
   * The same, choosing whether an RSA key signs through Amazon Corretto Crypto Provider when that
   * provider is present ({@code true}, the default of the other methods) or through BoringSSL.
   */
  public static SslContextBuilder forServer(boolean nativeSigning, PrivateKey key,
      X509Certificate... keyCertChain) {
    NativeSigner signer = nativeSigning ? nativeSigner(key, keyCertChain) : null;
    if (signer == null) {
      return preset(SslContextBuilder.forServer(key, keyCertChain));
    }
    // BoringSSL gets the chain only: a private key set per connection would win over the method.
    return preset(SslContextBuilder.forServer(
            new KeyManagerFactoryWrapper(new ChainOnlyKeyManager(keyCertChain))))
        .option(OpenSslContextOption.PRIVATE_KEY_METHOD, new NativeKeyMethod(signer));
  }

  private static @Nullable NativeSigner nativeSigner(PrivateKey key, X509Certificate[] chain) {
    if (!(key instanceof RSAKey) || chain.length == 0 || !OpenSsl.isAvailable()) {
      // ECDSA: BoringSSL's is as fast as AWS-LC's. Without OpenSSL, build() says why.
      return null;
    }
    return NativeSigner.create(key, chain[0].getPublicKey());
  }

  private static SslContextBuilder preset(SslContextBuilder b) {
    return b.sslProvider(SslProvider.OPENSSL)
        .protocols("TLSv1.3", "TLSv1.2")
        .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE);
  }
}
