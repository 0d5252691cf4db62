package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.FakeScheduler;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import java.security.cert.X509Certificate;
import java.time.Duration;
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

  private static TestCertificate cert;
  private FakeScheduler scheduler;
  private FakeClock clock;
  private KeyRatchet ratchet;

  @BeforeAll
  static void certificate() throws Exception {
    OpenSsl.ensureAvailability();
    cert = TestPki.localhost();
  }

  @AfterAll
  static void deleteCertificate() {
    cert.close();
  }

  @BeforeEach
  void setUp() {
    // 30 s before the end of EPOCH_0; the ratchet moves on the fake scheduler only.
    clock = new FakeClock(TestKeys.START.plus(EPOCH).minusSeconds(30));
    scheduler = new FakeScheduler(clock);
    ratchet = KeyRatchet.fromToken(TestKeys.tokenA(clock), LIFETIME, clock, scheduler);
  }

  @AfterEach
  void tearDown() {
    try {
      ratchet.close();
    } catch (IllegalStateException alreadyClosed) {
      // aFailedRotation... closes it on purpose
    }
  }

  private static ResumptionContext context() {
    return ResumptionContext.of(new X509Certificate[] {cert.certificate()}, ClientAuth.NONE);
  }

  private static SslContext openSslServer(long sessionTimeoutSeconds) throws Exception {
    return SslContextBuilder.forServer(cert.certificateFile(), cert.privateKeyFile())
        .sslProvider(SslProvider.OPENSSL)
        .sessionTimeout(sessionTimeoutSeconds)
        .build();
  }

  @Test
  void rejectsAJdkContextAndSaysHowToFixIt() throws Exception {
    SslContext jdk =
        SslContextBuilder.forServer(cert.certificateFile(), cert.privateKeyFile())
            .sslProvider(SslProvider.JDK)
            .build();
    assertThatThrownBy(() -> TicketKeyRotator.start(jdk, context(), ratchet))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SslProvider.OPENSSL")
        .hasMessageContaining("netty-tcnative");
  }

  @Test
  void isResumedAcceptsOnlyOpenSslEngines() throws Exception {
    SslContext jdk =
        SslContextBuilder.forServer(cert.certificateFile(), cert.privateKeyFile())
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
    assertThatThrownBy(() -> TicketKeyRotator.start(client, context(), ratchet))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("server");
  }

  @ParameterizedTest
  @ValueSource(longs = {60, 86_400})
  void ticketLifetimeIsTheRatchetsSessionLifetimeWhichFitsTheWindow(long contextTimeout)
      throws Exception {
    SslContext ctx = openSslServer(contextTimeout);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet)) {
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
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet)) {
      assertThat(sessions.isSessionCacheEnabled()).isFalse();
      assertThat(rotator.installedEpoch()).isEqualTo(ratchet.currentEpoch());
    }
  }

  @Test
  void rotatesWhenTheRatchetsWindowMovesWithNoTimerOfItsOwn() throws Exception {
    SslContext ctx = openSslServer(300);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet)) {
      scheduler.runDue();
      assertThat(rotator.installedEpoch()).isEqualTo(TestKeys.EPOCH_0);
      assertThat(scheduler.pending()).as("the ratchet's next tick only").isEqualTo(1);

      scheduler.advance(Duration.ofSeconds(31)); // past the boundary: the ratchet ticks
      assertThat(rotator.installedEpoch()).isEqualTo(TestKeys.EPOCH_0 + 1);
      scheduler.advance(EPOCH);
      assertThat(rotator.installedEpoch()).isEqualTo(TestKeys.EPOCH_0 + 2);
      assertThat(scheduler.pending()).isEqualTo(1);
    }
  }

  @Test
  void closeUnsubscribesAndRotateNowThenFails() throws Exception {
    SslContext ctx = openSslServer(300);
    TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet);
    rotator.close();
    rotator.close(); // idempotent
    assertThat(rotator.installedEpoch()).isEqualTo(Long.MIN_VALUE);
    scheduler.advance(EPOCH); // the window moves; nothing installs ratchet keys any more
    assertThat(rotator.installedEpoch()).isEqualTo(Long.MIN_VALUE);
    assertThatThrownBy(rotator::rotateNow).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aFailedRotationLeavesNoRatchetKeyInstalled() throws Exception {
    SslContext ctx = openSslServer(300);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet)) {
      ratchet.close();
      assertThatThrownBy(rotator::rotateNow).isInstanceOf(IllegalStateException.class);
      assertThat(rotator.installedEpoch()).isEqualTo(Long.MIN_VALUE);
      assertThat(scheduler.pending()).as("no retry timer").isZero();
    }
  }

  /**
   * A refused clock jump erases every state: the epoch notification that follows cannot install
   * ratchet keys, so a node-local key replaces the old ones at once (no exception escapes to the
   * ratchet's scheduler).
   */
  @Test
  void aRotationFailingOnTheRatchetsSchedulerInstallsTheNodeLocalKey() throws Exception {
    SslContext ctx = openSslServer(300);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet)) {
      clock.set(clock.instant().plus(EPOCH.multipliedBy(KeyRatchet.MAX_CATCH_UP_EPOCHS + 10)));
      scheduler.runDue();
      assertThat(rotator.installedEpoch()).isEqualTo(Long.MIN_VALUE);
    }
  }

  @Test
  void servingContextHandlersBoundTicketsAndItsEnginesIssueNone() throws Exception {
    SslContext ctx = openSslServer(300);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet)) {
      SslContext serving = rotator.sslContext();
      assertThat(serving.isServer()).isTrue();
      assertThat(serving.sessionContext()).isSameAs(ctx.sessionContext());
      assertThat(serving.cipherSuites()).isEqualTo(ctx.cipherSuites());

      SslHandler handler = serving.newHandler(ByteBufAllocator.DEFAULT);
      assertThat(handler).isInstanceOf(TicketSslHandler.class);
      assertThat(handler.engine()).isInstanceOf(ReferenceCountedOpenSslEngine.class);
      assertThat(noTicket(handler.engine())).isFalse();

      assertThat(noTicket(serving.newEngine(ByteBufAllocator.DEFAULT))).isTrue();
      assertThat(noTicket(serving.newEngine(ByteBufAllocator.DEFAULT, "localhost", 443))).isTrue();
    }
  }

  private static boolean noTicket(SSLEngine engine) {
    ReferenceCountedOpenSslEngine openssl = (ReferenceCountedOpenSslEngine) engine;
    synchronized (openssl) {
      return (SSL.getOptions(openssl.sslPointer()) & SSL.SSL_OP_NO_TICKET) != 0;
    }
  }

  @Test
  void toStringIsRedacted() throws Exception {
    SslContext ctx = openSslServer(300);
    try (TicketKeyRotator rotator = TicketKeyRotator.start(ctx, context(), ratchet)) {
      assertThat(rotator.toString())
          .isEqualTo("TicketKeyRotator[epoch " + TestKeys.EPOCH_0 + ", lifetime 9000 s, "
              + context() + "]");
    }
  }
}
