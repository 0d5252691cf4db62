package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslPrivateKeyMethod;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.SignatureException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ticket mode's RSA signatures through Amazon Corretto Crypto Provider, installed as the OpenSSL
 * context's private key method: each scheme BoringSSL can ask for verifies with the JDK, and
 * {@code openssl s_client} completes TLS 1.3 and TLS 1.2 handshakes that BoringSSL had signed by
 * it (the signature goes over the message BoringSSL hands over), or, with the option removed, by
 * BoringSSL itself.
 */
class NativeKeyMethodTest {
  static TestCertificate rsaCert;
  static NativeKeyMethod method;

  @BeforeAll
  static void setUp() throws Exception {
    assumeTrue(OpenSsl.isAvailable(), "netty-tcnative missing");
    rsaCert = TestPki.selfSigned("localhost", TestPki.KeyType.RSA_2048);
    NativeSigner signer = NativeSigner.create(rsaCert.privateKey(),
        rsaCert.certificate().getPublicKey());
    assertThat(signer).as("the provider loads on this machine").isNotNull();
    method = new NativeKeyMethod(signer);
  }

  @AfterAll
  static void close() {
    if (rsaCert != null) {
      rsaCert.close();
    }
  }

  static Stream<Arguments> schemes() {
    return Stream.of(
        Arguments.of(OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PSS_RSAE_SHA256, "RSASSA-PSS", "SHA-256"),
        Arguments.of(OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PSS_RSAE_SHA384, "RSASSA-PSS", "SHA-384"),
        Arguments.of(OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PSS_RSAE_SHA512, "RSASSA-PSS", "SHA-512"),
        Arguments.of(OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PKCS1_SHA1, "SHA1withRSA", null),
        Arguments.of(OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PKCS1_SHA256, "SHA256withRSA", null),
        Arguments.of(OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PKCS1_SHA384, "SHA384withRSA", null),
        Arguments.of(OpenSslPrivateKeyMethod.SSL_SIGN_RSA_PKCS1_SHA512, "SHA512withRSA", null));
  }

  @ParameterizedTest(name = "{1} {2}")
  @MethodSource("schemes")
  void eachSchemeVerifiesWithTheJdk(int scheme, String jdkName, String pssHash) throws Exception {
    byte[] message = "TLS 1.3, server CertificateVerify".getBytes(StandardCharsets.US_ASCII);
    byte[] signature = method.sign(null, scheme, message);
    assertThat(NativeSignerTest.jdkVerifies(jdkName, pssHash,
        rsaCert.certificate().getPublicKey(), message, signature)).isTrue();
  }

  @Test
  void otherSchemesAndKeysAreRefused() throws Exception {
    assertThatThrownBy(() -> method.sign(null,
        OpenSslPrivateKeyMethod.SSL_SIGN_ECDSA_SECP256R1_SHA256, new byte[32]))
        .isInstanceOf(SignatureException.class);
    try (TestCertificate ec = TestPki.localhost()) {
      NativeSigner ecSigner = NativeSigner.create(ec.privateKey(), ec.certificate().getPublicKey());
      assertThatThrownBy(() -> new NativeKeyMethod(ecSigner))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  static Stream<Arguments> handshakes() {
    return Stream.of(
        Arguments.of(List.of("-tls1_3"), "RSA-PSS"),
        Arguments.of(List.of("-tls1_3", "-sigalgs", "rsa_pss_rsae_sha512"), "RSA-PSS"),
        Arguments.of(List.of("-tls1_2", "-sigalgs", "rsa_pss_rsae_sha384"), "RSA-PSS"),
        Arguments.of(List.of("-tls1_2", "-sigalgs", "RSA+SHA256"), "RSA"),
        Arguments.of(List.of("-tls1_2", "-sigalgs", "RSA+SHA1", "-cipher", "DEFAULT@SECLEVEL=0"),
            "RSA"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("handshakes")
  void opensslCompletesHandshakesTheKeyMethodSigned(List<String> args, String signatureType)
      throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    SslContext context = TicketSslContexts.forServer(rsaCert.privateKey(), rsaCert.certificate())
        .build();
    long before = NativeKeyMethod.signaturesMade();
    String out = handshake(context, args);
    assertThat(out).contains("Peer signature type: " + signatureType);
    assertThat(NativeKeyMethod.signaturesMade()).as("signed by the key method")
        .isGreaterThan(before);
  }

  @Test
  void withoutTheOptionBoringSslSigns() throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    SslContext context = TicketSslContexts.forServer(false, rsaCert.privateKey(),
        rsaCert.certificate()).build();
    long before = NativeKeyMethod.signaturesMade();
    String out = handshake(context, List.of("-tls1_3"));
    assertThat(out).contains("Peer signature type: RSA-PSS");
    assertThat(NativeKeyMethod.signaturesMade()).isEqualTo(before);
  }

  private static String handshake(SslContext context, List<String> args) throws Exception {
    try (TlsTestServer<String> server = TlsTestServer.start(context, e -> "any")) {
      String out = OpenSslClient.to(server.port()).args(args.toArray(new String[0])).run()
          .output();
      TlsTestServer.Handshake<String> h = server.nextHandshake();
      assertThat(h.success()).as("server: %s\nclient:\n%s", h.cause(), out).isTrue();
      assertThat(out).doesNotContain("Cipher is (NONE)");
      return out;
    }
  }
}
