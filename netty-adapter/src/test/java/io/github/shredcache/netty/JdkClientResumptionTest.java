package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdkClientResumptionTest {
  static SelfSignedCertificate cert;

  @BeforeAll
  static void certs() throws Exception {
    cert = SelfSignedCertificate.builder().fqdn("localhost").algorithm("EC").bits(256).build();
  }

  @AfterAll
  static void cleanup() {
    cert.delete();
  }

  static SSLContext jdkClient() throws Exception {
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    return c;
  }

  static byte[] echo(SSLContext client, int port, String protocol, byte[] payload)
      throws Exception {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.setEnabledProtocols(new String[] {protocol});
      s.startHandshake();
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] back = new byte[payload.length];
      Thread writer = new Thread(() -> {
        try {
          out.write(payload);
          out.flush();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      writer.start();
      in.readFully(back);
      writer.join(10_000);
      return back;
    }
  }

  @Test
  void tls12FullThenResumedWithOneMebibyteEachWay() throws Exception {
    MapSessionCache cache = new MapSessionCache();
    ShredcacheSslContext ssl = ShredcacheSslContextBuilder
        .forServer(cert.certificate(), cert.privateKey()).sessionCache(cache).build();
    byte[] payload = new byte[1 << 20];
    new Random(1).nextBytes(payload);
    try (TestServer server = TestServer.start(ssl)) {
      SSLContext client = jdkClient();
      assertThat(Arrays.equals(echo(client, server.port(), "TLSv1.2", payload), payload)).isTrue();
      TestServer.Handshake first = server.nextHandshake();
      assertThat(first.success()).isTrue();
      assertThat(first.resumption()).isEqualTo(Resumption.FULL);
      assertThat(first.protocol()).isEqualTo("TLSv1.2");
      assertThat(cache.puts.get()).isEqualTo(1);

      assertThat(Arrays.equals(echo(client, server.port(), "TLSv1.2", payload), payload)).isTrue();
      TestServer.Handshake second = server.nextHandshake();
      assertThat(second.success()).isTrue();
      assertThat(second.resumption()).isEqualTo(Resumption.RESUMED_LOCAL);
      assertThat(cache.puts.get()).isEqualTo(1);
    }
  }

  @Test
  void tls13FullHandshakes() throws Exception {
    MapSessionCache cache = new MapSessionCache();
    ShredcacheSslContext ssl = ShredcacheSslContextBuilder
        .forServer(cert.certificate(), cert.privateKey()).sessionCache(cache).build();
    byte[] payload = "hello tls13".getBytes();
    try (TestServer server = TestServer.start(ssl)) {
      SSLContext client = jdkClient();
      for (int i = 0; i < 2; i++) {
        assertThat(echo(client, server.port(), "TLSv1.3", payload)).isEqualTo(payload);
        TestServer.Handshake h = server.nextHandshake();
        assertThat(h.success()).isTrue();
        assertThat(h.protocol()).isEqualTo("TLSv1.3");
        assertThat(h.resumption()).isEqualTo(Resumption.FULL);
      }
      assertThat(cache.puts.get()).isZero();
    }
  }
}
