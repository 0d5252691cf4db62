package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Required client authentication, on full and resumed handshakes. */
class ClientAuthTest {
  static SelfSignedCertificate serverCert;
  static SelfSignedCertificate clientCert;

  @BeforeAll
  static void certs() throws Exception {
    serverCert = SelfSignedCertificate.builder().fqdn("localhost").algorithm("EC").bits(256)
        .build();
    clientCert = SelfSignedCertificate.builder().fqdn("client.test").algorithm("EC").bits(256)
        .build();
  }

  @AfterAll
  static void delete() {
    serverCert.delete();
    clientCert.delete();
  }

  static SSLContext clientWithCertificate() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("client", clientCert.key(), new char[0],
        new Certificate[] {clientCert.cert()});
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
        .forServer(serverCert.certificate(), serverCert.privateKey())
        .sessionCache(cache)
        .clientAuth(ClientAuth.REQUIRE)
        .trustManager(clientCert.cert())
        .build();
    byte[] payload = "hello".getBytes();
    try (TestServer server = TestServer.start(ssl)) {
      SSLContext client = clientWithCertificate();
      assertThat(JdkClientResumptionTest.echo(client, server.port(), "TLSv1.2", payload))
          .isEqualTo(payload);
      TestServer.Handshake full = server.nextHandshake();
      assertThat(full.resumption()).isEqualTo(Resumption.FULL);
      assertThat(full.peer()).contains("CN=client.test");

      assertThat(JdkClientResumptionTest.echo(client, server.port(), "TLSv1.2", payload))
          .isEqualTo(payload);
      TestServer.Handshake resumed = server.nextHandshake();
      assertThat(resumed.resumption()).isEqualTo(Resumption.RESUMED_LOCAL);
      assertThat(resumed.peer()).as("peer chain restored from the cache")
          .contains("CN=client.test");

      assertThat(JdkClientResumptionTest.echo(client, server.port(), "TLSv1.3", payload))
          .isEqualTo(payload);
      TestServer.Handshake tls13 = server.nextHandshake();
      assertThat(tls13.protocol()).isEqualTo("TLSv1.3");
      assertThat(tls13.peer()).contains("CN=client.test");

      SSLContext anonymous = JdkClientResumptionTest.jdkClient();
      assertThatThrownBy(() ->
          JdkClientResumptionTest.echo(anonymous, server.port(), "TLSv1.2", payload))
          .isInstanceOf(Exception.class);
      assertThat(server.nextHandshake().success()).isFalse();
    }
  }

  @Test
  void clientAuthWithoutTrustManagerFailsAtBuildWithTheFix() {
    assertThatThrownBy(() -> ShredcacheSslContextBuilder
        .forServer(serverCert.certificate(), serverCert.privateKey())
        .clientAuth(ClientAuth.REQUIRE).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trustManager");
  }
}
