package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.FakeScheduler;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.netty.TlsTestServer;
import io.github.shredcache.testing.tls.OpenSslClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rotation: a ticket issued in epoch e resumes on another node in e + 1 and up to e + R, and is
 * refused (a full handshake, not an error) once e has left the window; the rotation follows the
 * ratchet's own epoch ticks, on a fake scheduler and at real epoch boundaries.
 */
class TicketRotationIT {

  private static final Duration WAIT = Duration.ofSeconds(10);
  @RegisterExtension static final TicketTestEnv env = new TicketTestEnv(2);

  @TempDir Path dir;



  /**
   * Fake time moves the ratchets on a fake scheduler, and their epoch ticks rotate the keys
   * (BoringSSL's own ticket lifetime check uses real time, which barely moves here): what refuses
   * the old ticket is the key leaving the window, nothing else.
   */
  @ParameterizedTest(name = "openssl s_client {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void ticketResumesWithinTheWindowAndIsRefusedOnceItsEpochLeftIt(String version)
      throws Exception {
    Duration epoch = TestKeys.EPOCH_LENGTH;
    Duration lifetime = epoch.multipliedBy(2); // R = 2: window [e - 2, e + 1]
    FakeClock clock = new FakeClock(TestKeys.START.plusSeconds(1));
    FakeScheduler scheduler = new FakeScheduler(clock);
    try (TicketTestNode a = TicketTestNode.start("A",
            KeyRatchet.fromToken(TestKeys.tokenA(clock), lifetime, clock, scheduler), env.cert(), env.group());
        TicketTestNode b = TicketTestNode.start("B",
            KeyRatchet.fromToken(TestKeys.tokenA(clock), lifetime, clock, scheduler), env.cert(), env.group())) {
      long e = TestKeys.EPOCH_0;
      assertThat(a.rotator.installedEpoch()).isEqualTo(e);
      assertThat(a.ratchet.epochsBehind()).isEqualTo(2);
      Path session = dir.resolve("issued-in-e.session");
      assertThat(TicketTestNode.request(a.port(), version, null, session).kind()).isEqualTo("New");
      a.server.nextHandshake(WAIT);

      for (int later = 1; later <= 2; later++) {
        scheduler.advance(epoch); // both ratchets tick at the boundary; the rotators follow
        assertThat(a.rotator.installedEpoch()).isEqualTo(e + later);
        assertThat(b.rotator.installedEpoch()).isEqualTo(e + later);
        OpenSslClient.Result r = TicketTestNode.request(b.port(), version, session, null);
        assertThat(r.reused()).as("epoch e + %s: %s", later, r.output()).isTrue();
        assertThat(b.server.nextHandshake(WAIT).resumption()).isTrue();
      }

      scheduler.advance(epoch); // e + 3: e has left [e + 1, e + 4]
      assertThat(b.rotator.installedEpoch()).isEqualTo(e + 3);
      for (TicketTestNode node : new TicketTestNode[] {a, b}) {
        OpenSslClient.Result r = TicketTestNode.request(node.port(), version, session, null);
        assertThat(r.kind()).as("%s in e + 3: %s", node.name, r.output()).isEqualTo("New");
        TlsTestServer.Handshake<Boolean> h = node.server.nextHandshake(WAIT);
        assertThat(h.success()).as(String.valueOf(h.cause())).isTrue();
        assertThat(h.resumption()).isFalse();
      }
    }
  }

  /** A node whose clock is already in the next epoch issues tickets the others can open (e + 1). */
  @Test
  void ticketFromANodeOneEpochAheadResumesOnTheOthers() throws Exception {
    Duration lifetime = TestKeys.LIFETIME;
    FakeClock behind = new FakeClock(TestKeys.START.plusSeconds(1));
    FakeClock ahead = new FakeClock(TestKeys.START.plus(TestKeys.EPOCH_LENGTH).plusSeconds(1));
    try (TicketTestNode slow = TicketTestNode.start("slow", KeyRatchet.fromToken(
            TestKeys.tokenA(behind), lifetime, behind, new FakeScheduler(behind)), env.cert(), env.group());
        TicketTestNode fast = TicketTestNode.start("fast", KeyRatchet.fromToken(
            TestKeys.tokenA(ahead), lifetime, ahead, new FakeScheduler(ahead)), env.cert(), env.group())) {
      assertThat(fast.rotator.installedEpoch()).isEqualTo(slow.rotator.installedEpoch() + 1);
      Path session = dir.resolve("ahead.session");
      TicketTestNode.request(fast.port(), "-tls1_3", null, session);
      fast.server.nextHandshake(WAIT);
      OpenSslClient.Result r = TicketTestNode.request(slow.port(), "-tls1_3", session, null);
      assertThat(r.reused()).as(r.output()).isTrue();
      assertThat(slow.server.nextHandshake(WAIT).resumption()).isTrue();
    }
  }

  /** Real time, 2 s epochs: the ratchet's own scheduler moves the keys to the next epoch. */
  @Test
  void schedulerRotatesAtRealEpochBoundaries() throws Exception {
    Duration epoch = Duration.ofSeconds(2);
    Duration lifetime = Duration.ofSeconds(10); // R = 5: slack for a loaded machine
    InstantSource clock = Clock.systemUTC();
    KeyToken chain = KeyToken.generate(epoch, clock);
    KeyToken sameChain = chain.advanceTo(chain.epoch());
    try (TicketTestNode a = TicketTestNode.start("A", chain, lifetime, clock, env.cert(), env.group());
        TicketTestNode b = TicketTestNode.start("B", sameChain, lifetime, clock, env.cert(), env.group())) {
      Path session = dir.resolve("real-time.session");
      TicketTestNode.request(a.port(), "-tls1_3", null, session);
      a.server.nextHandshake(WAIT);
      long issuedIn = a.rotator.installedEpoch();

      await("B rotated past the ticket's epoch").atMost(Duration.ofSeconds(6))
          .pollInterval(Duration.ofMillis(50)).until(() -> b.rotator.installedEpoch() > issuedIn);
      assertThat(a.rotator.installedEpoch()).isGreaterThan(issuedIn);

      OpenSslClient.Result r = TicketTestNode.request(b.port(), "-tls1_3", session, null);
      assertThat(r.reused()).as(r.output()).isTrue();
      assertThat(b.server.nextHandshake(WAIT).resumption()).isTrue();
    }
  }
}
