package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.testing.FakeClock;
import io.github.shredcache.core.testing.TestKeys;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TicketKeyRotatorTest {

  private static final Duration EPOCH = TestKeys.EPOCH_LENGTH; // 1 h
  private static final Duration LIFETIME = Duration.ofMinutes(150); // R = 3

  private static SelfSignedCertificate cert;
  private ScheduledThreadPoolExecutor scheduler;
  private FakeClock clock;
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
    // 30 s before the end of EPOCH_0.
    clock = new FakeClock(TestKeys.START.plus(EPOCH).minusSeconds(30));
    ratchet = KeyRatchet.fromToken(TestKeys.tokenA(clock), LIFETIME, clock);
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

  private static ResumptionContext context() {
    return ResumptionContext.of(new X509Certificate[] {cert.cert()}, ClientAuth.NONE);
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
    assertThatThrownBy(() -> TicketKeyRotator.start(jdk, context(), ratchet, scheduler))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SslProvider.OPENSSL")
        .hasMessageContaining("netty-tcnative");
  }

  @Test
  void isResumedAcceptsOnlyOpenSslEngines() throws Exception {
    SslContext jdk =
        SslContextBuilder.forServer(cert.certificate(), cert.privateKey())
            .sslProvider(SslProvider.JDK)
            .build();
    assertThatThrownBy(() -> TicketKeyRotator.isResumed(jdk.newEngine(ByteBufAllocator.DEFAULT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("OpenSSL");
    SSLEngine fresh = openSslServer(300).newEngine(ByteBufAllocator.DEFAULT);
    assertThat(TicketKeyRotator.isResumed(fresh)).isFalse(); // no handshake yet
  }

  @Test
  void rejectsAClientContext() throws Exception {
    SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).build();
    assertThatThrownBy(() -> TicketKeyRotator.start(client, context(), ratchet, scheduler))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("server");
  }

  @ParameterizedTest
  @ValueSource(longs = {60, 86_400})
  void ticketLifetimeIsTheRatchetsSessionLifetimeWhichFitsTheWindow(long contextTimeout)
      throws Exception {
    SslContext ctx = openSslServer(contextTimeout);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet, scheduler, clock)) {
      long window = ratchet.epochsBehind() * EPOCH.getSeconds();
      assertThat(ratchet.epochsBehind()).isEqualTo(3);
      assertThat(rotator.ticketLifetimeSeconds())
          .isEqualTo(LIFETIME.getSeconds())
          .isLessThanOrEqualTo((int) window);
      assertThat(ctx.sessionContext().getSessionTimeout()).isEqualTo((int) LIFETIME.getSeconds());
    }
  }

  @Test
  void turnsTheStatefulSessionCacheOff() throws Exception {
    SslContext ctx = openSslServer(300);
    OpenSslSessionContext sessions = (OpenSslSessionContext) ctx.sessionContext();
    sessions.setSessionCacheEnabled(true);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet, scheduler, clock)) {
      assertThat(sessions.isSessionCacheEnabled()).isFalse();
      assertThat(rotator.installedEpoch()).isEqualTo(ratchet.currentEpoch());
    }
  }

  @Test
  void schedulesTheNextRotationJustAfterTheEpochBoundary() throws Exception {
    SslContext ctx = openSslServer(300);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet, scheduler, clock)) {
      assertThat(scheduler.getQueue()).hasSize(1);
      long delayMillis = ((Delayed) scheduler.getQueue().peek()).getDelay(TimeUnit.MILLISECONDS);
      long expected = Duration.ofSeconds(30).plus(TicketKeyRotator.BOUNDARY_MARGIN).toMillis();
      assertThat(delayMillis).isBetween(expected - 20_000, expected); // slack for a loaded machine

      rotator.rotateNow(); // replaces the pending rotation, does not add one
      assertThat(scheduler.getQueue()).hasSize(1);
    }
    assertThat(scheduler.getQueue()).isEmpty();
  }

  @Test
  void closeStopsRotationsAndRotateNowThenFails() throws Exception {
    SslContext ctx = openSslServer(300);
    TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet, scheduler, clock);
    rotator.close();
    rotator.close(); // idempotent
    assertThat(rotator.installedEpoch()).isEqualTo(Long.MIN_VALUE);
    assertThatThrownBy(rotator::rotateNow).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aFailedRotationLeavesNoRatchetKeyInstalledAndRetries() throws Exception {
    SslContext ctx = openSslServer(300);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet, scheduler, clock)) {
      ratchet.close();
      assertThatThrownBy(rotator::rotateNow).isInstanceOf(IllegalStateException.class);
      assertThat(rotator.installedEpoch()).isEqualTo(Long.MIN_VALUE);
      assertThat(scheduler.getQueue()).hasSize(1); // the retry
    }
  }

  @Test
  void toStringIsRedacted() throws Exception {
    SslContext ctx = openSslServer(300);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet, scheduler, clock)) {
      assertThat(rotator.toString())
          .isEqualTo("TicketKeyRotator[epoch " + TestKeys.EPOCH_0 + ", lifetime 9000 s, "
              + context() + "]");
    }
  }
}
