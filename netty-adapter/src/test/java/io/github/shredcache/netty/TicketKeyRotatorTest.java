package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TicketKeyRotatorTest {

  private static final Duration EPOCH = Duration.ofMinutes(10);
  private static final Duration LIFETIME = Duration.ofMinutes(25); // R = 3

  private static SelfSignedCertificate cert;
  private ScheduledThreadPoolExecutor scheduler;
  private Instant start;
  private InstantSource clock;
  private KeyRatchet ratchet;

  @BeforeAll
  static void certificate() throws Exception {
    OpenSsl.ensureAvailability();
    cert = SelfSignedCertificate.builder().fqdn("localhost").algorithm("EC").bits(256).build();
  }

  @AfterAll
  static void deleteCertificate() {
    cert.delete();
  }

  @BeforeEach
  void setUp() {
    scheduler = new ScheduledThreadPoolExecutor(1);
    scheduler.setRemoveOnCancelPolicy(true);
    long epochSeconds = EPOCH.getSeconds();
    // 30 s before the end of an epoch.
    start = Instant.ofEpochSecond(((Instant.now().getEpochSecond() / epochSeconds) + 1) * epochSeconds - 30);
    clock = () -> start;
    ratchet = KeyRatchet.fromToken(KeyToken.generate(EPOCH, clock), LIFETIME, clock);
  }

  @AfterEach
  void tearDown() {
    scheduler.shutdownNow();
    try {
      ratchet.close();
    } catch (IllegalStateException alreadyClosed) {
      // aFailedRotation... closes it on purpose
    }
  }

  private static SslContext openSslServer(long sessionTimeoutSeconds) throws Exception {
    return SslContextBuilder.forServer(cert.certificate(), cert.privateKey())
        .sslProvider(SslProvider.OPENSSL)
        .sessionTimeout(sessionTimeoutSeconds)
        .build();
  }

  @Test
  void rejectsAJdkContextAndSaysHowToFixIt() throws Exception {
    SslContext jdk =
        SslContextBuilder.forServer(cert.certificate(), cert.privateKey())
            .sslProvider(SslProvider.JDK)
            .build();
    assertThatThrownBy(() -> TicketKeyRotator.start(jdk, ratchet, scheduler))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SslProvider.OPENSSL")
        .hasMessageContaining("netty-tcnative");
  }

  @Test
  void rejectsAClientContext() throws Exception {
    SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).build();
    assertThatThrownBy(() -> TicketKeyRotator.start(client, ratchet, scheduler))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("server");
  }

  @Test
  void ticketLifetimeNeverOutlivesTheWindow() throws Exception {
    SslContext ctx = openSslServer(TimeUnit.DAYS.toSeconds(1));
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, ratchet, scheduler, clock)) {
      long window = ratchet.epochsBehind() * EPOCH.getSeconds();
      assertThat(ratchet.epochsBehind()).isEqualTo(3);
      assertThat(rotator.ticketLifetimeSeconds()).isEqualTo(window);
      assertThat(ctx.sessionContext().getSessionTimeout()).isEqualTo((int) window);
    }
  }

  @Test
  void aShorterConfiguredSessionTimeoutIsKept() throws Exception {
    SslContext ctx = openSslServer(60);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, ratchet, scheduler, clock)) {
      assertThat(rotator.ticketLifetimeSeconds()).isEqualTo(60);
      assertThat(ctx.sessionContext().getSessionTimeout()).isEqualTo(60);
    }
  }

  @Test
  void turnsTheStatefulSessionCacheOff() throws Exception {
    SslContext ctx = openSslServer(300);
    OpenSslSessionContext sessions = (OpenSslSessionContext) ctx.sessionContext();
    sessions.setSessionCacheEnabled(true);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, ratchet, scheduler, clock)) {
      assertThat(sessions.isSessionCacheEnabled()).isFalse();
      assertThat(rotator.installedEpoch()).isEqualTo(ratchet.currentEpoch());
    }
  }

  @Test
  void schedulesTheNextRotationJustAfterTheEpochBoundary() throws Exception {
    SslContext ctx = openSslServer(300);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, ratchet, scheduler, clock)) {
      assertThat(scheduler.getQueue()).hasSize(1);
      long delayMillis = ((Delayed) scheduler.getQueue().peek()).getDelay(TimeUnit.MILLISECONDS);
      long expected = Duration.ofSeconds(30).plus(TicketKeyRotator.BOUNDARY_MARGIN).toMillis();
      assertThat(delayMillis).isBetween(expected - 5_000, expected);

      rotator.rotateNow(); // replaces the pending rotation, does not add one
      assertThat(scheduler.getQueue()).hasSize(1);
    }
    assertThat(scheduler.getQueue()).isEmpty();
  }

  @Test
  void closeStopsRotationsAndRotateNowThenFails() throws Exception {
    SslContext ctx = openSslServer(300);
    TicketKeyRotator rotator = TicketKeyRotator.start(ctx, ratchet, scheduler, clock);
    rotator.close();
    rotator.close(); // idempotent
    assertThat(rotator.installedEpoch()).isEqualTo(Long.MIN_VALUE);
    assertThatThrownBy(rotator::rotateNow).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aFailedRotationLeavesNoRatchetKeyInstalledAndRetries() throws Exception {
    SslContext ctx = openSslServer(300);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, ratchet, scheduler, clock)) {
      ratchet.close();
      assertThatThrownBy(rotator::rotateNow).isInstanceOf(IllegalStateException.class);
      assertThat(rotator.installedEpoch()).isEqualTo(Long.MIN_VALUE);
      assertThat(scheduler.getQueue()).hasSize(1); // the retry
    }
  }

  @Test
  void toStringIsRedacted() throws Exception {
    SslContext ctx = openSslServer(300);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, ratchet, scheduler, clock)) {
      assertThat(rotator.toString())
          .isEqualTo("TicketKeyRotator[epoch " + ratchet.currentEpoch() + ", lifetime 300 s]");
    }
  }
}
