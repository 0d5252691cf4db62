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
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ticket mode: keeps the TLS session ticket keys of a Netty OpenSSL server context equal to the
 * ticket keys of the {@link KeyRatchet} window, so that every node started from tokens of one chain
 * resumes every other node's TLS 1.2 and TLS 1.3 tickets, and bounds every ticket by the session
 * lifetime: no ticket resumes, on any node, once the lifetime has passed since the full handshake
 * that made its session, and no ticket says it lives longer.
 *
 * <h3>Usage</h3>
 *
 * <pre>{@code
 * SslContext openssl = TicketSslContexts.forServer(certChainFile, keyFile)  // OpenSSL, ECDHE + AEAD
 *     .build();
 * ResumptionContext id = ResumptionContext.of(certChain, ClientAuth.NONE);
 * TicketKeyRotator rotator = TicketKeyRotator.start(openssl, id, ratchet);
 * SslContext ctx = rotator.sslContext();   // serve with this one, e.g. ctx.newHandler(alloc)
 * ...
 * rotator.close();                         // before the context is released
 * }</pre>
 *
 * <h3>What it installs, and when</h3>
 *
 * <p>At start, every time the ratchet's window moves (an {@linkplain KeyRatchet#addEpochListener
 * epoch listener}, run on the ratchet's own scheduler just after the states that left the window
 * were zeroized) and on {@link #rotateNow()}, it installs the keys of {@link
 * KeyRatchet#ticketKeys()}, derived for the context's {@link ResumptionContext} (HKDF with the
 * identity as context label, so servers with other certificates or client authentication settings
 * have other keys), with {@link OpenSslSessionContext#setTicketKeys}: the current epoch's keys
 * first (they encrypt every new ticket), then the other epochs of the window {@code [e - R, e +
 * 1]}, newest first (they only decrypt; a ticket under one of them is accepted and re-issued under
 * the current key). {@code e + 1} is there for clock skew: a node whose clock is already in the
 * next epoch issues tickets that the others can open. The rotator has no timer of its own.
 *
 * <p>At start it also:
 *
 * <ul>
 *   <li>sets the session ID context ({@code SSL_CTX_set_session_id_context}) to the {@link
 *       ResumptionContext}, so that BoringSSL refuses to resume, under this context, a session made
 *       under another one even if it could decrypt its ticket;
 *   <li>sets the context's session timeout to the {@linkplain #ticketLifetimeSeconds() ticket
 *       lifetime}, {@code min(ratchet.maxSessionLifetime(), R * epochLength)}, replacing whatever the
 *       context had (Netty's default is 300 s): the ratchet's lifetime is the cluster's session
 *       lifetime, the one place to configure it. BoringSSL writes this timeout into TLS 1.2 tickets
 *       (as their lifetime hint and inside the encrypted session) and checks it on resumption;
 *   <li>turns the server's stateful session cache off ({@code setSessionCacheEnabled(false)}):
 *       ticket mode has one resumption mechanism and its secrets live only in tickets sealed under
 *       ratchet keys. The session-ID cache would keep each session's master secret in this node's
 *       memory independently of the ratchet, would resume TLS 1.2 clients only on the node that
 *       made the session (so cross-node behaviour would depend on the client), and would cost heap
 *       for nothing the tickets don't already give.
 * </ul>
 *
 * <h3>The lifetime of TLS 1.3 tickets: serve with {@link #sslContext()}</h3>
 *
 * <p>BoringSSL does not take a TLS 1.3 session's lifetime from the context's session timeout but
 * from a separate setting ({@code SSL_CTX_set_session_psk_dhe_timeout}, 172,800 s by default) that
 * netty-tcnative does not expose: a TLS 1.3 ticket from the context as built says it lives two days,
 * and resumes for two days. The only place the lifetime can be set is the session of each
 * connection, between the server's Finished and the client's, before BoringSSL mints the tickets.
 * So serve with {@link #sslContext()}, not with the context passed to {@link #start}:
 *
 * <ul>
 *   <li>every {@code newHandler(..)} of it returns an {@code SslHandler} over the context's own
 *       OpenSSL engine that sets the session's lifetime to {@code min(its lifetime,}
 *       {@link #ticketLifetimeSeconds()}{@code )} before every read of the handshake. A full
 *       handshake's tickets then say (lifetime hint) and carry (inside the encrypted session, which
 *       every node checks against its own clock) at most the ticket lifetime; a resumed session
 *       keeps the remainder of its original lifetime, so re-issued tickets never stretch it.
 *       BoringSSL counts in whole seconds, so a ticket stops resuming at most the lifetime after the
 *       full handshake began, on every node;
 *   <li>the same handler sends the TLS 1.3 tickets right after the handshake. BoringSSL holds them
 *       back until the server writes application data, and Netty's {@code SslHandler} never asks
 *       OpenSSL to write when it has no data, so a client that waits for its ticket (or a server
 *       that only reads) would get none; the handler makes the zero-length write that releases them;
 *   <li>engines from {@code newEngine(..)} (for frameworks that make their own {@code SslHandler},
 *       as grpc-java does) cannot be reached at that point, so they issue and accept no tickets
 *       ({@code SSL_OP_NO_TICKET}): their clients get a full handshake, never a ticket that
 *       outlives the lifetime. Use the bc engine ({@link ShredcacheSslContext}) with such
 *       frameworks.
 * </ul>
 *
 * <p>A handler made from the context passed to {@link #start} still resumes tickets across nodes,
 * but its TLS 1.3 tickets carry BoringSSL's two days; only the key window ({@code R + 1} epochs at
 * most) bounds them.
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
 *   <li>Two bounds hold independently: a ticket resumes for at most the ticket lifetime (checked
 *       by BoringSSL from the ticket's own contents, on every node), and it cannot be decrypted at
 *       all once its epoch has left the window (a ticket issued in epoch {@code e} is dead
 *       everywhere from {@code startOf(e + R + 1)}, when the ratchet erases {@code e}), whatever a
 *       node's clock or handler says.
 *   <li>Erasure: the {@link TicketKeyMaterial} objects received from the ratchet, and the arrays
 *       copied out of them, are zeroized right after installation. What this class cannot erase:
 *       the clones that {@link OpenSslSessionTicketKey} makes (Netty copies arrays on the way in and
 *       out and offers no destroy), the concatenated array netty-tcnative builds for JNI, and the
 *       native copy held for the {@code SSL_CTX}. The native copy is replaced at the next rotation
 *       (netty-tcnative frees the old array with {@code OPENSSL_free}, which BoringSSL cleanses);
 *       the Java copies are garbage and live until the GC overwrites them.
 * </ul>
 *
 * <p>Failure: if a rotation fails (the ratchet was closed, or holds no state after refusing an
 * implausible clock jump), the ratchet-derived keys are replaced by one random key known only to
 * this node (tickets then resume only here), and a warning is logged. The next move of the window
 * tries again, and so does {@link #rotateNow()}; there is no retry timer, because the failures the
 * ratchet can cause last until its next epoch or for good. Old ratchet keys are never left
 * installed past their epoch because of an error.
 *
 * <p>Thread-safe. Rotations are serialized; {@link OpenSslSessionContext#setTicketKeys} takes the
 * context's write lock only for the swap. Log lines name epochs only, never keys.
 */
public final class TicketKeyRotator implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(TicketKeyRotator.class);

  private final OpenSslServerSessionContext sessions;
  private final ResumptionContext resumptionContext;
  private final KeyRatchet ratchet;
  private final int ticketLifetimeSeconds;
  private final TicketServerContext servingContext;

  private final Object lock = new Object();
  private KeyRatchet.@Nullable Subscription subscription; // guarded by lock
  private boolean closed; // guarded by lock
  private long installedEpoch = Long.MIN_VALUE; // guarded by lock

  private TicketKeyRotator(
      SslContext opensslServerContext,
      OpenSslServerSessionContext sessions,
      ResumptionContext resumptionContext,
      KeyRatchet ratchet,
      int ticketLifetimeSeconds) {
    this.sessions = sessions;
    this.resumptionContext = resumptionContext;
    this.ratchet = ratchet;
    this.ticketLifetimeSeconds = ticketLifetimeSeconds;
    this.servingContext = new TicketServerContext(opensslServerContext, ticketLifetimeSeconds);
  }

  /**
   * Configures {@code opensslServerContext} for ticket mode, installs the ticket keys of the current
   * window and follows the ratchet's window from then on.
   *
   * <p>The rotator does not own the context or the ratchet: close the rotator before releasing the
   * context or closing the ratchet.
   *
   * @param opensslServerContext a server context built with {@link SslProvider#OPENSSL} (or {@link
   *     SslProvider#OPENSSL_REFCNT}), e.g. by {@link TicketSslContexts}; its session ID context is
   *     set from {@code resumptionContext}, its session timeout to the ticket lifetime, and its
   *     stateful session cache is turned off. Serve with {@link #sslContext()}, not with this one
   * @param resumptionContext the identity of {@code opensslServerContext}: made from the same
   *     certificate chain, client authentication mode and client CA certificates. Tickets resume
   *     only on contexts started with an equal identity
   * @param ratchet the node's ratchet: its lifetime is the ticket lifetime, and it notifies the
   *     rotator on its own scheduler every time its window moves
   * @throws IllegalArgumentException if the context is a client context or not an OpenSSL one
   * @throws RuntimeException what the ratchet or Netty threw while installing the first keys
   */
  public static TicketKeyRotator start(
      SslContext opensslServerContext, ResumptionContext resumptionContext, KeyRatchet ratchet) {
    requireNonNull(opensslServerContext, "opensslServerContext");
    requireNonNull(resumptionContext, "resumptionContext");
    requireNonNull(ratchet, "ratchet");
    OpenSslServerSessionContext sessions = openSslServerSessions(opensslServerContext);

    int lifetime = ticketLifetimeSeconds(ratchet);
    if (!sessions.setSessionIdContext(resumptionContext.digest())) {
      throw new IllegalStateException("BoringSSL refused the session ID context");
    }
    sessions.setSessionCacheEnabled(false);
    sessions.setSessionTimeout(lifetime);

    TicketKeyRotator rotator =
        new TicketKeyRotator(opensslServerContext, sessions, resumptionContext, ratchet, lifetime);
    // Subscribe first, so that a move of the window during the first installation is not missed.
    synchronized (rotator.lock) {
      rotator.subscription = ratchet.addEpochListener(epoch -> rotator.onEpoch());
    }
    try {
      // Fail at start, not later: the first installation must work.
      rotator.rotateNow();
    } catch (RuntimeException e) {
      rotator.close();
      throw e;
    }
    return rotator;
  }

  /**
   * Returns the context to serve with: the OpenSSL context passed to {@link #start}, whose {@code
   * newHandler(..)} handlers bound each TLS 1.3 session to the ticket lifetime and send its tickets
   * right after the handshake, and whose {@code newEngine(..)} engines issue and accept no tickets
   * (see the class documentation). It shares the OpenSSL context's session context, cipher suites
   * and ALPN settings. Stays usable after {@link #close()} (tickets then resume on this node only).
   */
  public SslContext sslContext() {
    return servingContext;
  }

  /**
   * Moves the ratchet to the clock's epoch and installs the window's ticket keys now. The rotator
   * does this by itself whenever the window moves; useful after setting a clock in tests.
   *
   * @throws IllegalStateException if the rotator was closed
   * @throws RuntimeException what the ratchet or Netty threw; the context then holds a random
   *     node-local key until the next successful rotation
   */
  public void rotateNow() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("ticket key rotator was closed");
      }
      try {
        ratchet.advance();
      } catch (RuntimeException e) {
        failedLocked(e);
        throw e;
      }
      RuntimeException failure = rotateLocked();
      if (failure != null) {
        throw failure;
      }
    }
  }

  /**
   * Returns the ticket lifetime, in seconds: {@code min(maxSessionLifetime, R * epochLength)} of the
   * ratchet. No ticket from {@link #sslContext()}'s handlers says or gets more.
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
   * Stops following the ratchet and replaces the installed ratchet keys with a random key known
   * only to this node, so that ratchet-derived keys do not outlive the rotator inside the context.
   * Does not close the ratchet or the context. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (subscription != null) {
        subscription.close();
        subscription = null;
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

  /** On the ratchet's scheduler, after the window moved: never throws. */
  private void onEpoch() {
    synchronized (lock) {
      if (!closed) {
        rotateLocked();
      }
    }
  }

  /** Installs the window, or on failure the node-local key; returns the failure, if any. */
  private @Nullable RuntimeException rotateLocked() {
    try {
      installWindow();
      return null;
    } catch (RuntimeException e) {
      failedLocked(e);
      return e;
    }
  }

  private void failedLocked(RuntimeException e) {
    installedEpoch = Long.MIN_VALUE;
    try {
      installNodeLocalKey();
    } catch (RuntimeException suppressed) {
      e.addSuppressed(suppressed);
    }
    logger.warn(
        "ticket key rotation failed ({}); a node-local random ticket key is installed until the"
            + " next epoch boundary or rotateNow()",
        e.getClass().getName());
  }

  private void installWindow() {
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
