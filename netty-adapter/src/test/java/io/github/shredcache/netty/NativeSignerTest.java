package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.crypto.TlsStreamSigner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Server signatures through Amazon Corretto Crypto Provider (on this module's test class path,
 * Linux x86-64): each scheme's signature verifies with the JDK's verifier and the certificate's
 * public key, real clients complete handshakes signed that way, and turning it off or handing it a
 * key the certificate does not match falls back to the JCA signers.
 */
class NativeSignerTest {
  static TestCertificate rsaCert;
  static TestCertificate ecCert;

  @BeforeAll
  static void certificates() throws Exception {
    rsaCert = TestPki.selfSigned("localhost", TestPki.KeyType.RSA_2048);
    ecCert = TestPki.localhost();
  }

  @AfterAll
  static void close() {
    rsaCert.close();
    ecCert.close();
  }

  static Stream<Arguments> schemes() {
    SignatureAndHashAlgorithm rsa256 = SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256,
        SignatureAlgorithm.rsa);
    SignatureAndHashAlgorithm rsa512 = SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha512,
        SignatureAlgorithm.rsa);
    SignatureAndHashAlgorithm ec256 = SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256,
        SignatureAlgorithm.ecdsa);
    SignatureAndHashAlgorithm ec384 = SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha384,
        SignatureAlgorithm.ecdsa);
    return Stream.of(
        Arguments.of("RSA", SignatureAndHashAlgorithm.rsa_pss_rsae_sha256, "RSASSA-PSS", "SHA-256"),
        Arguments.of("RSA", SignatureAndHashAlgorithm.rsa_pss_rsae_sha384, "RSASSA-PSS", "SHA-384"),
        Arguments.of("RSA", SignatureAndHashAlgorithm.rsa_pss_rsae_sha512, "RSASSA-PSS", "SHA-512"),
        Arguments.of("RSA", rsa256, "SHA256withRSA", null),
        Arguments.of("RSA", rsa512, "SHA512withRSA", null),
        Arguments.of("EC", ec256, "SHA256withECDSA", null),
        Arguments.of("EC", ec384, "SHA384withECDSA", null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("schemes")
  void eachSchemeVerifiesWithTheJdkAndTheCertificate(String key, SignatureAndHashAlgorithm alg,
      String jdkName, String pssHash) throws Exception {
    TestCertificate cert = key.equals("RSA") ? rsaCert : ecCert;
    NativeSigner signer = NativeSigner.create(cert.privateKey(), cert.certificate().getPublicKey());
    assertThat(signer).as("the provider loads on this machine").isNotNull();
    assertThat(signer.supports(alg)).isTrue();
    byte[] content = "client random, server random, ECDH parameters"
        .getBytes(StandardCharsets.US_ASCII);
    TlsStreamSigner stream = signer.getStreamSigner(alg);
    try (OutputStream out = stream.getOutputStream()) {
      out.write(content, 0, 10);
      out.write(content[10]);
      out.write(content, 11, content.length - 11);
    }
    byte[] signature = stream.getSignature();

    PublicKey publicKey = cert.certificate().getPublicKey();
    assertThat(jdkVerifies(jdkName, pssHash, publicKey, content, signature)).isTrue();
    content[0] ^= 1;
    assertThat(jdkVerifies(jdkName, pssHash, publicKey, content, signature))
        .as("a changed content does not verify").isFalse();
  }

  /**
   * Verifies with the JDK's own provider; for RSA-PSS ({@code pssHash} not null) with TLS's
   * parameters written out here, independently of the code under test: MGF1 with the same hash,
   * salt as long as the hash.
   */
  static boolean jdkVerifies(String jdkName, String pssHash, PublicKey publicKey, byte[] content,
      byte[] signature) throws Exception {
    Signature verifier = Signature.getInstance(jdkName);
    if (pssHash != null) {
      int salt = pssHash.equals("SHA-256") ? 32 : pssHash.equals("SHA-384") ? 48 : 64;
      verifier.setParameter(new PSSParameterSpec(pssHash, "MGF1", new MGF1ParameterSpec(pssHash),
          salt, 1));
    }
    verifier.initVerify(publicKey);
    verifier.update(content);
    return verifier.verify(signature);
  }

  @Test
  void schemesOfTheOtherKeyTypeOrWithoutSha2AreLeftToTheJcaSigners() throws Exception {
    NativeSigner rsa = NativeSigner.create(rsaCert.privateKey(),
        rsaCert.certificate().getPublicKey());
    NativeSigner ec = NativeSigner.create(ecCert.privateKey(), ecCert.certificate().getPublicKey());
    assertThat(rsa).isNotNull();
    assertThat(ec).isNotNull();
    SignatureAndHashAlgorithm ecdsa256 = SignatureAndHashAlgorithm.getInstance(
        HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);
    SignatureAndHashAlgorithm rsaSha1 = SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha1,
        SignatureAlgorithm.rsa);
    assertThat(rsa.supports(ecdsa256)).isFalse();
    assertThat(rsa.supports(rsaSha1)).isFalse();
    assertThat(rsa.supports(SignatureAndHashAlgorithm.rsa_pss_pss_sha256)).isFalse();
    assertThat(ec.supports(SignatureAndHashAlgorithm.rsa_pss_rsae_sha256)).isFalse();
    assertThat(ec.supports(SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha1,
        SignatureAlgorithm.ecdsa))).isFalse();
  }

  @Test
  void aKeyTheCertificateDoesNotMatchIsNotUsed() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair other = g.generateKeyPair();
    Provider accp = NativeSigner.create(ecCert.privateKey(), ecCert.certificate().getPublicKey())
        .provider();
    assertThat(NativeSigner.create(accp, other.getPrivate(), ecCert.certificate().getPublicKey()))
        .isNull();
  }

  @Test
  void theBuilderRefusesAKeyItsLeafDoesNotMatch() throws Exception {
    try (TestCertificate otherRsa = TestPki.selfSigned("localhost", TestPki.KeyType.RSA_2048)) {
      assertThatThrownBy(() -> ShredcacheSslContextBuilder
          .forServer(otherRsa.privateKey(), rsaCert.chain()).build())
          .isInstanceOf(javax.net.ssl.SSLException.class)
          .hasMessageContaining("does not match the first certificate");
    }
    assertThatThrownBy(() -> ShredcacheSslContextBuilder
        .forServer(rsaCert.privateKey(), ecCert.chain()).build())
        .isInstanceOf(javax.net.ssl.SSLException.class)
        .hasMessageContaining("does not match the first certificate");
  }

  @Test
  void theContextSaysWhereItSignsAndCanBeToldNotTo() throws Exception {
    ShredcacheSslContext on = ShredcacheSslContextBuilder
        .forServer(rsaCert.privateKey(), rsaCert.chain()).build();
    ShredcacheSslContext off = ShredcacheSslContextBuilder
        .forServer(rsaCert.privateKey(), rsaCert.chain()).nativeSigning(false).build();
    assertThat(on.signatureProvider()).isEqualTo("AmazonCorrettoCryptoProvider");
    assertThat(off.signatureProvider()).isEqualTo("JCA");
    assertThatThrownBy(() -> ShredcacheSslContextBuilder
        .forServer(rsaCert.privateKey(), rsaCert.chain()).nativeSigning(true).nativeSigning(false))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("nativeSigning");
  }

  static Stream<Arguments> handshakes() {
    return Stream.of(true, false).flatMap(nativeSigning -> Stream.of(
        Arguments.of(nativeSigning, "RSA", List.of("-tls1_2", "-sigalgs", "rsa_pss_rsae_sha256"),
            "RSA-PSS"),
        Arguments.of(nativeSigning, "RSA", List.of("-tls1_2", "-sigalgs", "RSA+SHA384"), "RSA"),
        Arguments.of(nativeSigning, "RSA", List.of("-tls1_3", "-sigalgs", "rsa_pss_rsae_sha384"),
            "RSA-PSS"),
        Arguments.of(nativeSigning, "EC", List.of("-tls1_2", "-sigalgs", "ECDSA+SHA512"), "ECDSA"),
        Arguments.of(nativeSigning, "EC", List.of("-tls1_3"), "ECDSA")));
  }

  @ParameterizedTest(name = "native {0}: {1} key, {2}")
  @MethodSource("handshakes")
  void opensslCompletesHandshakesSignedEitherWay(boolean nativeSigning, String key,
      List<String> args, String signatureType) throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    TestCertificate cert = key.equals("RSA") ? rsaCert : ecCert;
    ShredcacheSslContext context = ShredcacheSslContextBuilder
        .forServer(cert.privateKey(), cert.chain()).nativeSigning(nativeSigning).build();
    assertThat(context.signatureProvider())
        .isEqualTo(nativeSigning ? "AmazonCorrettoCryptoProvider" : "JCA");
    try (TlsTestServer<Resumption> server = TlsTestServer.start(context,
        ShredcacheSslContext::resumption)) {
      String out = OpenSslClient.to(server.port()).args(args.toArray(new String[0])).run()
          .output();
      TlsTestServer.Handshake<Resumption> h = server.nextHandshake();
      assertThat(h.success()).as("server: %s\nclient:\n%s", h.cause(), out).isTrue();
      assertThat(out).contains("Peer signature type: " + signatureType);
      assertThat(out).doesNotContain("Cipher is (NONE)");
    }
  }
}
