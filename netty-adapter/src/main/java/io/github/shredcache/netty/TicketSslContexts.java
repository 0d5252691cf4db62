package io.github.shredcache.netty;

import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.File;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Starting points for ticket mode's server context: Netty {@link SslContextBuilder}s preset for
 * Netty's OpenSSL provider (netty-tcnative-boringssl-static) with the same policy as {@link
 * ShredcacheSslContext}: TLS 1.3 and TLS 1.2, ECDHE key exchange and AEAD suites only (AES-GCM,
 * ChaCha20-Poly1305; no CBC, no static RSA, no DHE). Everything can still be changed on the
 * returned builder (client authentication, ALPN, other suites); remember to make the {@link
 * ResumptionContext} for {@link TicketKeyRotator#start} from the same certificates and client
 * authentication settings.
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
    return preset(SslContextBuilder.forServer(keyCertChainPemFile, keyPemFile));
  }

  /** A server builder from JCA objects: the private key and its chain, leaf first. */
  public static SslContextBuilder forServer(PrivateKey key, X509Certificate... keyCertChain) {
    return preset(SslContextBuilder.forServer(key, keyCertChain));
  }

  private static SslContextBuilder preset(SslContextBuilder b) {
    return b.sslProvider(SslProvider.OPENSSL)
        .protocols("TLSv1.3", "TLSv1.2")
        .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE);
  }
}
