package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.JdkTlsClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import java.util.Random;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdkClientResumptionTest {
  static TestCertificate cert;

  @BeforeAll
  static void certs() throws Exception {
    cert = TestPki.localhost();
  }

  @AfterAll
  static void cleanup() {
    cert.close();
  }

  @Test
  void tls12FullThenResumedWithOneMebibyteEachWay() throws Exception {
    MapSessionCache cache = new MapSessionCache();
    ShredcacheSslContext ssl = ShredcacheSslContextBuilder
        .forServer(cert.certificateFile(), cert.privateKeyFile()).sessionCache(cache).build();
    byte[] payload = new byte[1 << 20];
    new Random(1).nextBytes(payload);
    try (TlsTestServer<Resumption> server = TlsTestServer.start(ssl, ShredcacheSslContext::resumption)) {
      SSLContext client = JdkTlsClient.trustingAnyServer();
      assertThat(JdkTlsClient.echo(client, server.port(), "TLSv1.2", payload)).isEqualTo(payload);
      TlsTestServer.Handshake<Resumption> first = server.nextHandshake();
      assertThat(first.success()).isTrue();
      assertThat(first.resumption()).isEqualTo(Resumption.FULL);
      assertThat(first.protocol()).isEqualTo("TLSv1.2");
      assertThat(cache.puts.get()).isEqualTo(1);

      assertThat(JdkTlsClient.echo(client, server.port(), "TLSv1.2", payload)).isEqualTo(payload);
      TlsTestServer.Handshake<Resumption> second = server.nextHandshake();
      assertThat(second.success()).isTrue();
      assertThat(second.resumption()).isEqualTo(Resumption.RESUMED_LOCAL);
      assertThat(cache.puts.get()).isEqualTo(1);
    }
  }

  @Test
  void tls13FullHandshakes() throws Exception {
    MapSessionCache cache = new MapSessionCache();
    ShredcacheSslContext ssl = ShredcacheSslContextBuilder
        .forServer(cert.certificateFile(), cert.privateKeyFile()).sessionCache(cache).build();
    byte[] payload = "hello tls13".getBytes();
    try (TlsTestServer<Resumption> server = TlsTestServer.start(ssl, ShredcacheSslContext::resumption)) {
      SSLContext client = JdkTlsClient.trustingAnyServer();
      for (int i = 0; i < 2; i++) {
        assertThat(JdkTlsClient.echo(client, server.port(), "TLSv1.3", payload)).isEqualTo(payload);
        TlsTestServer.Handshake<Resumption> h = server.nextHandshake();
        assertThat(h.success()).isTrue();
        assertThat(h.protocol()).isEqualTo("TLSv1.3");
        assertThat(h.resumption()).isEqualTo(Resumption.FULL);
      }
      assertThat(cache.puts.get()).isZero();
    }
  }
}
