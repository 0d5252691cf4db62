package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.JdkTlsClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Required client authentication, on full and resumed handshakes. */
class ClientAuthTest {
  static TestCertificate serverCert;
  static TestCertificate clientCert;

  @BeforeAll
  static void certs() throws Exception {
    serverCert = TestPki.localhost();
    clientCert = TestPki.selfSigned("client.test", TestPki.KeyType.EC_P256);
  }

  @AfterAll
  static void delete() {
    serverCert.close();
    clientCert.close();
  }

  static SSLContext clientWithCertificate() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("client", clientCert.privateKey(), new char[0],
        new Certificate[] {clientCert.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(kmf.getKeyManagers(), InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    return c;
  }

  @Test
  void requiredClientCertificateOnFullAndResumedHandshakes() throws Exception {
    MapSessionCache cache = new MapSessionCache();
    ShredcacheSslContext ssl = ShredcacheSslContextBuilder
        .forServer(serverCert.certificateFile(), serverCert.privateKeyFile())
        .sessionCache(cache)
        .clientAuth(ClientAuth.REQUIRE)
        .trustManager(clientCert.certificate())
        .build();
    byte[] payload = "hello".getBytes();
    try (TlsTestServer<Resumption> server = TlsTestServer.start(ssl, ShredcacheSslContext::resumption)) {
      SSLContext client = clientWithCertificate();
      assertThat(JdkTlsClient.echo(client, server.port(), "TLSv1.2", payload))
          .isEqualTo(payload);
      TlsTestServer.Handshake<Resumption> full = server.nextHandshake();
      assertThat(full.resumption()).isEqualTo(Resumption.FULL);
      assertThat(full.peer()).contains("CN=client.test");

      assertThat(JdkTlsClient.echo(client, server.port(), "TLSv1.2", payload))
          .isEqualTo(payload);
      TlsTestServer.Handshake<Resumption> resumed = server.nextHandshake();
      assertThat(resumed.resumption()).isEqualTo(Resumption.RESUMED_LOCAL);
      assertThat(resumed.peer()).as("peer chain restored from the cache")
          .contains("CN=client.test");

      assertThat(JdkTlsClient.echo(client, server.port(), "TLSv1.3", payload))
          .isEqualTo(payload);
      TlsTestServer.Handshake<Resumption> tls13 = server.nextHandshake();
      assertThat(tls13.protocol()).isEqualTo("TLSv1.3");
      assertThat(tls13.peer()).contains("CN=client.test");

      SSLContext anonymous = JdkTlsClient.trustingAnyServer();
      assertThatThrownBy(() ->
          JdkTlsClient.echo(anonymous, server.port(), "TLSv1.2", payload))
          .isInstanceOf(Exception.class);
      assertThat(server.nextHandshake().success()).isFalse();
    }
  }

  @Test
  void clientAuthWithoutTrustManagerFailsAtBuildWithTheFix() {
    assertThatThrownBy(() -> ShredcacheSslContextBuilder
        .forServer(serverCert.certificateFile(), serverCert.privateKeyFile())
        .clientAuth(ClientAuth.REQUIRE).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trustManager");
  }
}
