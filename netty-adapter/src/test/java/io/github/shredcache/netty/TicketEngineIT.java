package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.github.shredcache.testing.tls.TestCertificate;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pins the engine behaviour ticket mode relies on, with hand-made keys and no ratchet: BoringSSL
 * (through netty-tcnative) decrypts a ticket under any listed key and resumes it on another
 * context, even with the stateful session cache off; a ticket under an unknown key costs a full
 * handshake, never a failed one.
 */
class TicketEngineIT {

  private static final Duration WAIT = Duration.ofSeconds(10);
  @RegisterExtension static final TicketTestEnv env = new TicketTestEnv(1);

  @TempDir Path dir;



  static SslContext openSslServer(TestCertificate cert, OpenSslSessionTicketKey... keys)
      throws Exception {
    SslContext ctx =
        SslContextBuilder.forServer(cert.certificateFile(), cert.privateKeyFile())
            .sslProvider(SslProvider.OPENSSL)
            .protocols("TLSv1.3", "TLSv1.2")
            .build();
    OpenSslSessionContext sessions = (OpenSslSessionContext) ctx.sessionContext();
    sessions.setSessionCacheEnabled(false);
    sessions.setTicketKeys(keys);
    return ctx;
  }

  @ParameterizedTest
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void ticketUnderAListedOlderKeyResumesOnAnotherContext(String version) throws Exception {
    SecureRandom random = new SecureRandom();
    OpenSslSessionTicketKey k1 = TicketKeys.random(random);
    OpenSslSessionTicketKey k2 = TicketKeys.random(random);
    try (TlsTestServer<Boolean> a =
            TicketTestNode.serve(openSslServer(env.cert(), k1), env.group(), "A").start();
        TlsTestServer<Boolean> b =
            TicketTestNode.serve(openSslServer(env.cert(), k2, k1), env.group(), "B").start();
        TlsTestServer<Boolean> c =
            TicketTestNode.serve(openSslServer(env.cert(), k2), env.group(), "C").start()) {
      Path session = dir.resolve("session.pem");

      OpenSslClient.Result first = TicketTestNode.request(a.port(), version, null, session);
      assertThat(first.kind()).as(first.output()).isEqualTo("New");
      assertThat(a.nextHandshake(WAIT).resumption()).isFalse();

      OpenSslClient.Result onB = TicketTestNode.request(b.port(), version, session, null);
      assertThat(onB.reused()).as(onB.output()).isTrue();
      assertThat(onB.protocol()).isEqualTo(version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2");
      assertThat(b.nextHandshake(WAIT).resumption()).isTrue();

      OpenSslClient.Result onC = TicketTestNode.request(c.port(), version, session, null);
      assertThat(onC.kind()).as(onC.output()).isEqualTo("New");
      TlsTestServer.Handshake<Boolean> full = c.nextHandshake(WAIT);
      assertThat(full.success()).as(String.valueOf(full.cause())).isTrue();
      assertThat(full.resumption()).isFalse();
    }
  }
}
