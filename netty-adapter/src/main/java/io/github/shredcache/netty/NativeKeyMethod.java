package io.github.shredcache.netty;

import io.netty.handler.ssl.OpenSslPrivateKeyMethod;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLEngine;
import org.jspecify.annotations.Nullable;

/**
 * Ticket mode's server signatures for RSA keys through {@link NativeSigner} (Amazon Corretto Crypto
 * Provider, AWS-LC), installed as the OpenSSL context's {@link OpenSslPrivateKeyMethod}: BoringSSL
 * as bundled by netty-tcnative signs RSA-2048 in about twice the time AWS-LC takes on the same
 * machine (its modular exponentiation was half of a full ticket-mode handshake's CPU). BoringSSL
 * hands over the message to sign and the scheme; the signature is made synchronously on the event
 * loop, as BoringSSL would have made it. Every RSA scheme BoringSSL can ask for in TLS 1.2 and 1.3
 * is covered, SHA-1 included (a TLS 1.2 client that offers nothing else). Thread-safe.
 */
final class NativeKeyMethod implements OpenSslPrivateKeyMethod {
  private static final LongAdder SIGNATURES = new LongAdder();
  private final NativeSigner signer;

  /** Signatures made through this class in this JVM (a diagnostic for tests). */
  static long signaturesMade() {
    return SIGNATURES.sum();
  }

  NativeKeyMethod(NativeSigner signer) {
    if (!signer.rsa()) {
      throw new IllegalArgumentException("ticket mode offloads RSA keys only");
    }
    this.signer = signer;
  }

  /** A JCA signature name and, for RSA-PSS, the hash of its parameters. */
  private record Scheme(String jcaName, @Nullable String pssHash) {}

  /** By BoringSSL's code point; Netty's constants come from the native library (not constant). */
  private static final Map<Integer, Scheme> SCHEMES = Map.of(
      SSL_SIGN_RSA_PSS_RSAE_SHA256, new Scheme("RSASSA-PSS", "SHA-256"),
      SSL_SIGN_RSA_PSS_RSAE_SHA384, new Scheme("RSASSA-PSS", "SHA-384"),
      SSL_SIGN_RSA_PSS_RSAE_SHA512, new Scheme("RSASSA-PSS", "SHA-512"),
      SSL_SIGN_RSA_PKCS1_SHA1, new Scheme("SHA1withRSA", null),
      SSL_SIGN_RSA_PKCS1_SHA256, new Scheme("SHA256withRSA", null),
      SSL_SIGN_RSA_PKCS1_SHA384, new Scheme("SHA384withRSA", null),
      SSL_SIGN_RSA_PKCS1_SHA512, new Scheme("SHA512withRSA", null));

  @Override
  public byte[] sign(SSLEngine engine, int signatureAlgorithm, byte[] input) throws Exception {
    Scheme scheme = SCHEMES.get(signatureAlgorithm);
    if (scheme == null) {
      // Not asked of a TLS 1.2/1.3 server with an RSA key (MD5+SHA-1 is TLS 1.1 and older).
      throw new SignatureException("no RSA signature scheme " + signatureAlgorithm);
    }
    String hash = scheme.pssHash();
    Signature s = signer.newSignature(scheme.jcaName(), hash == null ? null : NativeSigner.pss(hash));
    s.update(input);
    byte[] signature = s.sign();
    SIGNATURES.increment();
    return signature;
  }

  /** Not reached: ticket mode offers ECDHE suites only, so no client encrypts to the key. */
  @Override
  public byte[] decrypt(SSLEngine engine, byte[] input) throws Exception {
    throw new UnsupportedOperationException("no RSA key exchange in ticket mode");
  }
}
