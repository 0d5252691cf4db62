package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SelfSignedCertificate;
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



  static SslContext openSslServer(SelfSignedCertificate cert, OpenSslSessionTicketKey... keys)
      throws Exception {
    SslContext ctx =
        SslContextBuilder.forServer(cert.certificate(), cert.privateKey())
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
    try (TicketTestServer a = TicketTestServer.start(openSslServer(env.cert(), k1), env.group(), "A");
        TicketTestServer b = TicketTestServer.start(openSslServer(env.cert(), k2, k1), env.group(), "B");
        TicketTestServer c = TicketTestServer.start(openSslServer(env.cert(), k2), env.group(), "C")) {
      Path session = dir.resolve("session.pem");

      TicketOpenSslClient.Result first = TicketOpenSslClient.connect(a.port(), version, null, session);
      assertThat(first.kind()).as(first.output()).isEqualTo("New");
      assertThat(a.nextHandshake(WAIT).reused()).isFalse();

      TicketOpenSslClient.Result onB = TicketOpenSslClient.connect(b.port(), version, session, null);
      assertThat(onB.reused()).as(onB.output()).isTrue();
      assertThat(onB.protocol()).isEqualTo(version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2");
      assertThat(b.nextHandshake(WAIT).reused()).isTrue();

      TicketOpenSslClient.Result onC = TicketOpenSslClient.connect(c.port(), version, session, null);
      assertThat(onC.kind()).as(onC.output()).isEqualTo("New");
      TicketTestServer.Handshake full = c.nextHandshake(WAIT);
      assertThat(full.succeeded()).as(String.valueOf(full.failure())).isTrue();
      assertThat(full.reused()).isFalse();
    }
  }
}
