package io.github.shredcache.netty;

import static java.util.Objects.requireNonNull;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.TicketKeyMaterial;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ticket mode: keeps the TLS session ticket keys of a Netty OpenSSL server context equal to the
 * ticket keys of the {@link KeyRatchet} window, so that every node started from tokens of one chain
 * resumes every other node's TLS 1.2 and TLS 1.3 tickets, and a ticket becomes undecryptable
 * everywhere once its epoch has left the window.
 *
 * <h3>Usage</h3>
 *
 * <pre>{@code
 * SslContext ctx = TicketSslContexts.forServer(certChainFile, keyFile)  // OpenSSL, ECDHE + AEAD
 *     .build();
 * ResumptionContext id = ResumptionContext.of(certChain, ClientAuth.NONE);
 * TicketKeyRotator rotator = TicketKeyRotator.start(ctx, id, ratchet, eventLoopGroup);
 * ... serve with ctx.newHandler(alloc) ...
 * rotator.close();                        // before the context is released
 * }</pre>
 *
 * <h3>What it installs</h3>
 *
 * <p>At start, at every epoch boundary (scheduled for {@code ratchet.startOf(current + 1)} plus a
 * small margin) and on {@link #rotateNow()}, it first calls {@link KeyRatchet#advance()} (so states
 * that left the window are zeroized before anything else happens), then installs the keys of
 * {@link KeyRatchet#ticketKeys()}, derived for the context's {@link ResumptionContext} (HKDF with
 * the identity as context label, so servers with other certificates or client authentication
 * settings have other keys), with {@link OpenSslSessionContext#setTicketKeys}: the current epoch's
 * keys first (they encrypt every new ticket), then the other epochs of the window {@code [e - R, e +
 * 1]}, newest first (they only decrypt; a ticket under one of them is accepted and re-issued under
 * the current key). {@code e + 1} is there for clock skew: a node whose clock is already in the next
 * epoch issues tickets that the others can open.
 *
 * <p>At start it also:
 *
 * <ul>
 *   <li>sets the session ID context ({@code SSL_CTX_set_session_id_context}) to the {@link
 *       ResumptionContext}, so that BoringSSL refuses to resume, under this context, a session made
 *       under another one even if it could decrypt its ticket;
 *   <li>sets the session timeout ({@code sessionContext().setSessionTimeout}, which is the ticket
 *       lifetime BoringSSL writes into tickets and enforces on resumption) to {@code
 *       min(ratchet.maxSessionLifetime(), R * epochLength)}, replacing whatever the context had
 *       (Netty's default is 300 s): the ratchet's lifetime is the cluster's session lifetime, the
 *       one place to configure it. So no ticket outlives its key: a ticket issued in epoch {@code e}
 *       expires before {@code startOf(e + R + 1)}, the instant its key leaves the window. In TLS
 *       1.3 BoringSSL renews the lifetime of resumed sessions only up to the timeout counted from the
 *       original full handshake, so re-issued tickets do not stretch it either;
 *   <li>turns the server's stateful session cache off ({@code setSessionCacheEnabled(false)}):
 *       ticket mode has one resumption mechanism and its secrets live only in tickets sealed under
 *       ratchet keys. The session-ID cache would keep each session's master secret in this node's
 *       memory independently of the ratchet, would resume TLS 1.2 clients only on the node that
 *       made the session (so cross-node behaviour would depend on the client), and would cost heap
 *       for nothing the tickets don't already give.
 * </ul>
 *
 * <h3>Security guarantees</h3>
 *
 * <ul>
 *   <li>Resumption in TLS 1.3 is {@code psk_dhe_ke} only: BoringSSL never resumes with {@code
 *       psk_ke}, and does not even send a NewSessionTicket to a client that offers only {@code
 *       psk_ke}. A resumed TLS 1.3 connection therefore runs a fresh (EC)DHE exchange, and its
 *       traffic keys stay secret even if the ticket key later leaks; what a leaked ticket key
 *       exposes is the resumption secret (and so the early data, which we do not enable) of tickets
 *       it can open. {@code psk_ke}-only resumption would derive traffic keys from the ticket alone
 *       and lose that property.
 *   <li>TLS 1.2 tickets carry the session's master secret and cross the wire in the clear
 *       (NewSessionTicket comes before the server's ChangeCipherSpec; the client sends it back in
 *       its ClientHello), and TLS 1.2 resumption has no fresh key exchange: whoever records a ticket
 *       and later obtains its key decrypts the full handshake's connection and every resumption of
 *       it. Forward secrecy of TLS 1.2 connections with tickets therefore ends exactly when the
 *       ticket's epoch leaves the window and the ratchet has erased its state: the same bound as
 *       for entries sealed in memcached by the Bouncy Castle engine. In TLS 1.3 the ticket yields
 *       only the resumption secret, from which the original connection's traffic keys cannot be
 *       derived.
 *   <li>Erasure: the {@link TicketKeyMaterial} objects received from the ratchet, and the arrays
 *       copied out of them, are zeroized right after installation. What this class cannot erase:
 *       the clones that {@link OpenSslSessionTicketKey} makes (Netty copies arrays on the way in and
 *       out and offers no destroy), the concatenated array netty-tcnative builds for JNI, and the
 *       native copy held for the {@code SSL_CTX}. The native copy is replaced at the next rotation
 *       (netty-tcnative frees the old array with {@code OPENSSL_free}, which BoringSSL cleanses);
 *       the Java copies are garbage and live until the GC overwrites them.
 * </ul>
 *
 * <p>Failure: if a rotation fails (for example the ratchet was closed), the ratchet-derived keys are
 * replaced by one random key known only to this node (tickets then resume only here), a warning is
 * logged, and the rotation is retried shortly after. Old ratchet keys are never left installed past
 * their epoch because of an error.
 *
 * <p>Thread-safe. Rotations are serialized; {@link OpenSslSessionContext#setTicketKeys} takes the
 * context's write lock only for the swap, so it is safe to run on a Netty event loop. Log lines
 * name epochs only, never keys.
 */
public final class TicketKeyRotator implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(TicketKeyRotator.class);

  /** How long after an epoch boundary the scheduled rotation runs (absorbs timer jitter). */
  static final Duration BOUNDARY_MARGIN = Duration.ofMillis(200);

  /** The shortest delay between two scheduled rotations (guards against a clock that lags). */
  static final Duration MIN_DELAY = Duration.ofMillis(100);

  /** The longest wait before retrying a failed rotation. */
  static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(10);

  private final OpenSslSessionContext sessions;
  private final ResumptionContext resumptionContext;
  private final KeyRatchet ratchet;
  private final ScheduledExecutorService scheduler;
  private final InstantSource clock;
  private final int ticketLifetimeSeconds;

  private final Object lock = new Object();
  private ScheduledFuture<?> next; // guarded by lock
  private boolean closed; // guarded by lock
  private long installedEpoch = Long.MIN_VALUE; // guarded by lock

  private TicketKeyRotator(
      OpenSslSessionContext sessions,
      ResumptionContext resumptionContext,
      KeyRatchet ratchet,
      ScheduledExecutorService scheduler,
      InstantSource clock,
      int ticketLifetimeSeconds) {
    this.sessions = sessions;
    this.resumptionContext = resumptionContext;
    this.ratchet = ratchet;
    this.scheduler = scheduler;
    this.clock = clock;
    this.ticketLifetimeSeconds = ticketLifetimeSeconds;
  }

  /**
   * Configures {@code opensslServerContext} for ticket mode, installs the ticket keys of the current
   * window and schedules the rotations on {@code scheduler}.
   *
   * <p>The rotator does not own the context, the ratchet or the scheduler: close the rotator before
   * releasing the context or closing the ratchet.
   *
   * @param opensslServerContext a server context built with {@link SslProvider#OPENSSL} (or {@link
   *     SslProvider#OPENSSL_REFCNT}), e.g. by {@link TicketSslContexts}; its session ID context is
   *     set from {@code resumptionContext}, its session timeout to the ratchet's session lifetime,
   *     and its stateful session cache is turned off
   * @param resumptionContext the identity of {@code opensslServerContext}: made from the same
   *     certificate chain, client authentication mode and client CA certificates. Tickets resume
   *     only on contexts started with an equal identity
   * @param ratchet the node's ratchet; its clock decides the current epoch. Rotations are scheduled
   *     with the system clock: a ratchet on another clock is still rotated, but possibly late (use
   *     {@link #rotateNow()} after moving such a clock)
   * @param scheduler runs the rotations at epoch boundaries (a Netty event loop group will do)
   * @throws IllegalArgumentException if the context is a client context or not an OpenSSL one
   */
  public static TicketKeyRotator start(
      SslContext opensslServerContext,
      ResumptionContext resumptionContext,
      KeyRatchet ratchet,
      ScheduledExecutorService scheduler) {
    return start(opensslServerContext, resumptionContext, ratchet, scheduler, Clock.systemUTC());
  }

  /**
   * As {@link #start(SslContext, ResumptionContext, KeyRatchet, ScheduledExecutorService)}, with
   * the clock used to compute the delay until the next epoch boundary; it must be the ratchet's
   * clock.
   */
  static TicketKeyRotator start(
      SslContext opensslServerContext,
      ResumptionContext resumptionContext,
      KeyRatchet ratchet,
      ScheduledExecutorService scheduler,
      InstantSource clock) {
    requireNonNull(opensslServerContext, "opensslServerContext");
    requireNonNull(resumptionContext, "resumptionContext");
    requireNonNull(ratchet, "ratchet");
    requireNonNull(scheduler, "scheduler");
    requireNonNull(clock, "clock");
    OpenSslServerSessionContext sessions = openSslServerSessions(opensslServerContext);

    int lifetime = ticketLifetimeSeconds(ratchet);
    if (!sessions.setSessionIdContext(resumptionContext.digest())) {
      throw new IllegalStateException("BoringSSL refused the session ID context");
    }
    sessions.setSessionCacheEnabled(false);
    sessions.setSessionTimeout(lifetime);

    TicketKeyRotator rotator =
        new TicketKeyRotator(sessions, resumptionContext, ratchet, scheduler, clock, lifetime);
    // Fail at start, not later: the first installation must work.
    rotator.rotate(/* fromScheduler= */ false);
    return rotator;
  }

  /**
   * Moves the ratchet to the clock's epoch and installs the window's ticket keys now, then
   * reschedules the next rotation. Useful after a clock step or in tests.
   *
   * @throws IllegalStateException if the rotator was closed
   * @throws RuntimeException what the ratchet or Netty threw; the context then holds a random
   *     node-local key until the next successful rotation
   */
  public void rotateNow() {
    rotate(/* fromScheduler= */ false);
  }

  /**
   * Returns the ticket lifetime set on the context, in seconds: {@code min(maxSessionLifetime, R *
   * epochLength)} of the ratchet.
   */
  public int ticketLifetimeSeconds() {
    return ticketLifetimeSeconds;
  }

  /** Returns the epoch whose key encrypts new tickets, or {@code Long.MIN_VALUE} after a failure. */
  public long installedEpoch() {
    synchronized (lock) {
      return installedEpoch;
    }
  }

  /**
   * Stops the rotations and replaces the installed ratchet keys with a random key known only to
   * this node, so that ratchet-derived keys do not outlive the rotator inside the context. Does not
   * close the ratchet or the scheduler. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (next != null) {
        next.cancel(false);
        next = null;
      }
      try {
        installNodeLocalKey();
      } catch (RuntimeException e) {
        // The context may already be released; then there is nothing left to replace.
        logger.debug("could not replace ticket keys on close: {}", e.getClass().getName());
      }
      installedEpoch = Long.MIN_VALUE;
    }
  }

  private void rotate(boolean fromScheduler) {
    synchronized (lock) {
      if (closed) {
        if (fromScheduler) {
          return;
        }
        throw new IllegalStateException("ticket key rotator was closed");
      }
      try {
        installWindow();
      } catch (RuntimeException e) {
        installedEpoch = Long.MIN_VALUE;
        try {
          installNodeLocalKey();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        Duration retry = retryDelay();
        logger.warn(
            "ticket key rotation failed ({}); a node-local random ticket key is installed,"
                + " retrying in {} ms",
            e.getClass().getName(),
            retry.toMillis());
        scheduleLocked(retry);
        if (fromScheduler) {
          return;
        }
        throw e;
      }
      scheduleLocked(delayToNextBoundary());
    }
  }

  private void installWindow() {
    // Erase first: states that left the window are gone before anything is derived.
    ratchet.advance();
    List<TicketKeyMaterial> window = ratchet.ticketKeys();
    try {
      if (window.isEmpty()) {
        throw new IllegalStateException("ratchet returned no ticket keys");
      }
      OpenSslSessionTicketKey[] keys = new OpenSslSessionTicketKey[window.size()];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = TicketKeys.toNetty(window.get(i), resumptionContext);
      }
      sessions.setTicketKeys(keys);
      long current = window.get(0).epoch();
      long newest = current;
      long oldest = current;
      for (TicketKeyMaterial m : window) {
        newest = Math.max(newest, m.epoch());
        oldest = Math.min(oldest, m.epoch());
      }
      installedEpoch = current;
      logger.info(
          "ticket keys rotated: epoch {} encrypts, epochs {}..{} decrypt ({} keys)",
          current,
          oldest,
          newest,
          keys.length);
    } finally {
      for (TicketKeyMaterial m : window) {
        m.destroy();
      }
    }
  }

  private void installNodeLocalKey() {
    sessions.setTicketKeys(TicketKeys.random(new SecureRandom()));
  }

  private void scheduleLocked(Duration delay) {
    if (next != null) {
      next.cancel(false);
    }
    try {
      next =
          scheduler.schedule(
              () -> rotate(/* fromScheduler= */ true), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      next = null;
      logger.warn("ticket key rotation could not be scheduled: the scheduler is shut down");
    }
  }

  private Duration delayToNextBoundary() {
    Instant boundary = ratchet.startOf(ratchet.currentEpoch() + 1).plus(BOUNDARY_MARGIN);
    Duration delay = Duration.between(clock.instant(), boundary);
    return delay.compareTo(MIN_DELAY) < 0 ? MIN_DELAY : delay;
  }

  private Duration retryDelay() {
    Duration quarterEpoch = ratchet.epochLength().dividedBy(4);
    Duration retry = quarterEpoch.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : quarterEpoch;
    return retry.compareTo(MIN_DELAY) < 0 ? MIN_DELAY : retry;
  }

  /**
   * Returns whether the completed handshake of {@code engine} resumed a session (in ticket mode: a
   * ticket the client presented was accepted), as BoringSSL reports it ({@code SSL_session_reused}).
   * Call it from the handshake completion event, on the channel's event loop.
   *
   * @throws IllegalArgumentException if {@code engine} is not an engine of Netty's OpenSSL provider
   */
  public static boolean isResumed(SSLEngine engine) {
    requireNonNull(engine, "engine");
    if (!(engine instanceof ReferenceCountedOpenSslEngine)) {
      throw new IllegalArgumentException(
          "not an engine of Netty's OpenSSL provider: " + engine.getClass().getName());
    }
    ReferenceCountedOpenSslEngine openssl = (ReferenceCountedOpenSslEngine) engine;
    // The engine's methods synchronize on it; holding the monitor keeps the native SSL alive.
    synchronized (openssl) {
      long ssl = openssl.sslPointer();
      return ssl != 0 && SSL.isSessionReused(ssl);
    }
  }

  static OpenSslServerSessionContext openSslServerSessions(SslContext context) {
    if (!context.isServer()) {
      throw new IllegalArgumentException(
          "ticket keys are a server setting: pass a server SslContext (SslContextBuilder.forServer),"
              + " not a client one");
    }
    SSLSessionContext sessions = context.sessionContext();
    if (!(sessions instanceof OpenSslServerSessionContext)) {
      throw new IllegalArgumentException(
          "ticket mode needs a server SslContext built with SslProvider.OPENSSL and"
              + " netty-tcnative-boringssl-static on the classpath (check OpenSsl.isAvailable());"
              + " this context is a "
              + context.getClass().getName()
              + " whose session context is "
              + (sessions == null ? "null" : sessions.getClass().getName()));
    }
    return (OpenSslServerSessionContext) sessions;
  }

  /**
   * {@code min(maxSessionLifetime, R * epochLength)} of the ratchet, in whole seconds (at least 1).
   * R is computed from the lifetime, so the second bound only matters if a ratchet ever keeps fewer
   * epochs than its lifetime needs; it is checked anyway because it is the property that matters.
   */
  static int ticketLifetimeSeconds(KeyRatchet ratchet) {
    long windowSeconds = ratchet.epochLength().getSeconds() * (long) ratchet.epochsBehind();
    long lifetimeSeconds = ratchet.maxSessionLifetime().getSeconds();
    long seconds = Math.min(windowSeconds, lifetimeSeconds);
    return (int) Math.max(1, Math.min(seconds, Integer.MAX_VALUE));
  }

  /** Redacted: names the installed epoch only. */
  @Override
  public String toString() {
    return "TicketKeyRotator[epoch " + installedEpoch() + ", lifetime " + ticketLifetimeSeconds
        + " s, " + resumptionContext + "]";
  }
}
