package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an {@code openssl s_client} with an unusual offer (groups, signature schemes, suites,
 * versions) gets from the Bouncy Castle engine: a completed handshake on something both sides can
 * do, chosen by the server's preference in TLS 1.2, or a proper alert from the server
 * (handshake_failure, protocol_version), never internal_error.
 */
class NegotiationInteropTest {
  /** OpenSSL 1.0.2's default client list of groups, binary curves first. */
  static final String OPENSSL_102_GROUPS = "sect571r1:sect571k1:secp521r1:sect409k1:sect409r1"
      + ":secp384r1:sect283k1:sect283r1:secp256k1:prime256v1:sect239k1:sect233k1:sect233r1"
      + ":secp224k1:secp224r1:sect193r1:sect193r2:secp192k1:prime192v1:sect163k1:sect163r1"
      + ":sect163r2:secp160k1:secp160r1:secp160r2";
  /** Lets the client send what OpenSSL 3 no longer offers by default (SHA-1, small curves). */
  static final String[] LEGACY = {"-cipher", "DEFAULT@SECLEVEL=0"};

  static TestCertificate ecCert;
  static TestCertificate rsaCert;
  static TlsTestServer<Resumption> ecServer;
  static TlsTestServer<Resumption> rsaServer;

  @BeforeAll
  static void start() throws Exception {
    ecCert = TestPki.localhost();
    rsaCert = TestPki.selfSigned("localhost", TestPki.KeyType.RSA_2048);
    ecServer = TlsTestServer.start(ShredcacheSslContextBuilder
        .forServer(ecCert.certificateFile(), ecCert.privateKeyFile()).build(),
        ShredcacheSslContext::resumption);
    rsaServer = TlsTestServer.start(ShredcacheSslContextBuilder
        .forServer(rsaCert.certificateFile(), rsaCert.privateKeyFile()).build(),
        ShredcacheSslContext::resumption);
  }

  @AfterAll
  static void stop() throws Exception {
    ecServer.close();
    rsaServer.close();
    ecCert.close();
    rsaCert.close();
  }

  /**
   * One client offer and what must come of it: {@code completesWith} is a piece of the client's
   * "Server Temp Key" or "Peer signature type" line (the handshake completes), or {@code
   * alert} the alert the server must send ("handshake_failure", "protocol_version").
   */
  record Offer(String key, String completesWith, String alert, List<String> args) {
    @Override
    public String toString() {
      return key + " key, " + String.join(" ", args) + " -> "
          + (completesWith != null ? "completes (" + completesWith + ")" : alert);
    }
  }

  static Offer completes(String key, String expect, String... args) {
    return new Offer(key, expect, null, List.of(args));
  }

  static Offer fails(String key, String alert, String... args) {
    return new Offer(key, null, alert, List.of(args));
  }

  static String[] legacy(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(LEGACY));
    return all.toArray(new String[0]);
  }

  static Stream<Offer> offers() {
    return Stream.of(
        // Groups, TLS 1.2: the first mutually supported group in the server's order.
        completes("EC", "ECDH, prime256v1", legacy("-tls1_2", "-groups", OPENSSL_102_GROUPS)),
        completes("EC", "ECDH, prime256v1", "-tls1_2", "-groups", "sect571r1:prime256v1"),
        completes("EC", "ECDH, prime256v1", "-tls1_2", "-groups", "brainpoolP512r1:prime256v1"),
        completes("EC", "ECDH, prime256v1", "-tls1_2", "-groups", "X448:secp384r1:prime256v1"),
        completes("RSA", "ECDH, prime256v1", legacy("-tls1_2", "-groups", OPENSSL_102_GROUPS)),
        completes("RSA", "ECDH, secp521r1", "-tls1_2", "-groups", "sect571r1:secp521r1"),
        completes("RSA", "X448", "-tls1_2", "-groups", "brainpoolP512r1:X448"),
        fails("EC", "handshake_failure", "-tls1_2", "-groups",
            "brainpoolP256r1:brainpoolP384r1:brainpoolP512r1"),
        fails("RSA", "handshake_failure", "-tls1_2", "-groups", "sect571r1:sect409k1:sect283k1"),
        // FFDHE only: TLS 1.2 DHE suites, TLS 1.3 FFDHE groups (both engines run ECDHE only).
        fails("RSA", "handshake_failure", "-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"),
        // An ECDSA certificate on a curve the client did not list cannot be used (RFC 8422 5.1).
        fails("EC", "handshake_failure", "-tls1_2", "-groups", "secp384r1"),
        // Groups, TLS 1.3.
        completes("EC", "ECDH, prime256v1", "-tls1_3", "-groups", "brainpoolP512r1:prime256v1"),
        completes("RSA", "X448", "-tls1_3", "-groups", "X448:prime256v1"),
        fails("EC", "handshake_failure", "-tls1_3", "-groups", "ffdhe2048:ffdhe3072"),
        // Signature schemes.
        completes("EC", "ECDSA", "-tls1_2", "-sigalgs", "ecdsa_secp521r1_sha512"),
        completes("RSA", "RSA-PSS", "-tls1_2", "-sigalgs", "rsa_pss_rsae_sha256"),
        completes("RSA", "RSA-PSS", "-tls1_3", "-sigalgs", "rsa_pss_rsae_sha512"),
        completes("RSA", "RSA", "-tls1_2", "-sigalgs", "RSA+SHA512"),
        fails("EC", "handshake_failure", legacy("-tls1_2", "-sigalgs", "ECDSA+SHA1")),
        fails("RSA", "handshake_failure", legacy("-tls1_2", "-sigalgs", "RSA+SHA1")),
        fails("EC", "handshake_failure", "-tls1_2", "-sigalgs",
            "rsa_pss_rsae_sha256:rsa_pss_pss_sha256"),
        fails("RSA", "handshake_failure", "-tls1_2", "-sigalgs", "rsa_pss_pss_sha256"),
        fails("EC", "handshake_failure", "-tls1_3", "-sigalgs", "ecdsa_secp384r1_sha384"),
        fails("EC", "handshake_failure", "-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256"),
        // Suites and versions.
        fails("EC", "handshake_failure", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"),
        fails("RSA", "handshake_failure", "-tls1_2", "-cipher", "AES128-GCM-SHA256"),
        fails("RSA", "protocol_version", legacy("-tls1_1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("offers")
  void everyOfferCompletesOrGetsAProperAlert(Offer offer) throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    TlsTestServer<Resumption> server = offer.key().equals("EC") ? ecServer : rsaServer;
    server.clearHandshakes();
    String out = OpenSslClient.to(server.port()).args(offer.args().toArray(new String[0])).run().output();
    TlsTestServer.Handshake<Resumption> h = server.nextHandshake();
    assertThat(out).as(out).doesNotContain("alert internal error");
    if (offer.completesWith() != null) {
      assertThat(h.success()).as("server: %s\nclient:\n%s", h.cause(), out).isTrue();
      assertThat(out).containsPattern("(Server Temp Key|Peer signature type): .*"
          + java.util.regex.Pattern.quote(offer.completesWith()));
      assertThat(out).doesNotContain("Cipher is (NONE)");
    } else {
      assertThat(h.success()).as(out).isFalse();
      String raised = String.valueOf(h.cause().getMessage());
      assertThat(raised).as("the server, not the client, ends the handshake:\n%s", out)
          .startsWith("fatal alert: " + offer.alert() + "(");
      assertThat(raised).doesNotContain("internal_error");
    }
  }
}
