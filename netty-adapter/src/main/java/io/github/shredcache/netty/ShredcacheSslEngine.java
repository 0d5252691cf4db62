package io.github.shredcache.netty;

import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.jspecify.annotations.Nullable;

/**
 * A server-only {@link SSLEngine} over Bouncy Castle's non-blocking {@link TlsServerProtocol}.
 *
 * <p>Every {@code wrap}/{@code unwrap} call handles at most one TLS record. The only delegated
 * task is the ClientHello prefetch of a standalone engine ({@link EnginePrefetch}); engines inside
 * a {@link ShredcacheSslHandler} have none (the handler prefetches). Methods are synchronized: Netty confines an engine to one event loop, so the lock is
 * uncontended, but {@link #getSession()} and the close methods may come from other threads.
 */
final class ShredcacheSslEngine extends SSLEngine {
  private static final int RECORD_HEADER = 5;
  /** Largest record payload accepted on the wire (RFC 5246: 2^14 + 2048). */
  private static final int MAX_CIPHERTEXT = (1 << 14) + 2048;
  /** Upper bound of what one AEAD record adds to its plaintext (header, nonce, tag, type). */
  private static final int MAX_RECORD_OVERHEAD = 64;

  private final ServerConfig config;
  private final TlsServerProtocol protocol = new TlsServerProtocol();
  private final ShredcacheTlsServer server;
  private final byte[] scratch = new byte[MAX_CIPHERTEXT + RECORD_HEADER];
  /** Holds the ClientHello until its session was looked up; {@code null}: no hold here. */
  private final @Nullable EnginePrefetch prefetch;
  /** Netty's ALPN wrapper may install its selector (it mirrors the configured protocols). */
  private boolean nettyAlpnWrapper;

  private String[] enabledSuiteNames;
  private int[] enabledSuites;
  private String[] enabledProtocolNames;
  private ProtocolVersion[] enabledVersions;
  private ClientAuth clientAuth;

  private boolean started;
  private boolean handshakeDone;
  private boolean finishedPending;
  private boolean inboundDone;
  private boolean outboundClosed;
  private boolean failed;
  private boolean closeNotifyReceived;
  private @Nullable String failureMessage;
  private volatile ShredcacheSslSession session;
  private volatile @Nullable ShredcacheSslSession handshakeSession;
  private volatile @Nullable String applicationProtocol; // null until the handshake completes

  /**
   * @param prefetch the engine's own ClientHello prefetch, or {@code null} when the {@code
   *     SslHandler} around it prefetches (or there is no cache)
   */
  ShredcacheSslEngine(ServerConfig config, @Nullable String peerHost, int peerPort,
      @Nullable EnginePrefetch prefetch) {
    super(peerHost, peerPort);
    this.config = config;
    this.prefetch = prefetch;
    this.server = new ShredcacheTlsServer(config, this);
    this.enabledSuites = config.cipherSuites.clone();
    this.enabledSuiteNames = config.cipherSuiteNames.toArray(new String[0]);
    this.enabledVersions = config.versions.clone();
    this.enabledProtocolNames = config.protocolNames.toArray(new String[0]);
    this.clientAuth = config.clientAuth;
    this.session = ShredcacheSslSession.nullSession(peerHost, peerPort, config.sessionContext);
  }

  Resumption resumption() {
    return server.resumption();
  }

  /** Lets Netty's ALPN wrapper ({@code JdkAlpnSslEngine}) install its protocol selector. */
  synchronized ShredcacheSslEngine forNettyAlpnWrapper() {
    nettyAlpnWrapper = true;
    return this;
  }

  synchronized int[] enabledSuites() {
    return enabledSuites;
  }

  synchronized ProtocolVersion[] enabledVersions() {
    return enabledVersions;
  }

  synchronized ClientAuth clientAuthMode() {
    return clientAuth;
  }

  // ---- callbacks from the TlsServer (inside offerInput, same thread) ---------------------------

  void onHandshakeComplete(ShredcacheTlsServer s, SecurityParameters sp) throws IOException {
    X509Certificate[] peer = ShredcacheTlsServer.toX509(sp.getPeerCertificate());
    byte[] id = TlsUtils.isTLSv13(sp.getNegotiatedVersion()) ? null : sp.getSessionID();
    ProtocolName alpn = sp.getApplicationProtocol();
    applicationProtocol = alpn == null ? "" : alpn.getUtf8Decoding();
    session = new ShredcacheSslSession(id, ServerConfig.protocolName(sp.getNegotiatedVersion()),
        ServerConfig.cipherSuiteName(sp.getCipherSuite()), config.chain, peer, getPeerHost(),
        getPeerPort(), config.sessionContext, s::invalidateSession, s.resumption());
    handshakeSession = null;
    handshakeDone = true;
    finishedPending = true;
  }

  void onFatalAlert(String alert, @Nullable String message, boolean received) {
    if (failureMessage == null) {
      failureMessage = (received ? "received fatal alert: " : "fatal alert: ") + alert
          + (message == null ? "" : " (" + message + ")");
    }
  }

  // ---- SSLEngine --------------------------------------------------------------------------

  private void ensureStarted() throws SSLException {
    if (!started) {
      started = true;
      try {
        protocol.accept(server);
      } catch (IOException e) {
        failed = true;
        throw new SSLException("cannot start TLS server", e);
      }
      handshakeSession = new ShredcacheSslSession(null, "NONE", "SSL_NULL_WITH_NULL_NULL",
          config.chain, null, getPeerHost(), getPeerPort(), config.sessionContext, null,
          Resumption.FULL);
    }
  }

  @Override
  public synchronized void beginHandshake() throws SSLException {
    if (outboundClosed || inboundDone) {
      throw new SSLException("engine is closed");
    }
    if (handshakeDone) {
      throw new SSLException("renegotiation is not supported");
    }
    ensureStarted();
  }

  @Override
  public synchronized SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length,
      ByteBuffer dst) throws SSLException {
    checkArgs(srcs, offset, length);
    if (dst.isReadOnly()) {
      throw new ReadOnlyBufferException();
    }
    int avail = protocol.getAvailableOutputBytes();
    if (avail > 0) {
      if (!dst.hasRemaining()) {
        return result(Status.BUFFER_OVERFLOW, 0, 0);
      }
      int n = protocol.readOutput(dst, Math.min(avail, dst.remaining()));
      boolean closed = isOutboundClosedState() && protocol.getAvailableOutputBytes() == 0;
      return result(closed ? Status.CLOSED : Status.OK, 0, n);
    }
    if (isOutboundClosedState()) {
      return result(Status.CLOSED, 0, 0);
    }
    if (!handshakeDone) {
      return result(Status.OK, 0, 0);
    }
    int total = 0;
    for (int i = offset; i < offset + length; i++) {
      total += srcs[i].remaining();
      if (total >= ShredcacheSslSession.APPLICATION_BUFFER_SIZE) {
        break;
      }
    }
    if (total == 0) {
      return result(Status.OK, 0, 0);
    }
    int n = Math.min(total, Math.min(protocol.getApplicationDataLimit(),
        ShredcacheSslSession.APPLICATION_BUFFER_SIZE));
    if (dst.remaining() < n + MAX_RECORD_OVERHEAD) {
      return result(Status.BUFFER_OVERFLOW, 0, 0);
    }
    int copied = 0;
    for (int i = offset; i < offset + length && copied < n; i++) {
      ByteBuffer src = srcs[i];
      int k = Math.min(src.remaining(), n - copied);
      src.get(scratch, copied, k);
      copied += k;
    }
    try {
      protocol.writeApplicationData(scratch, 0, n);
    } catch (IOException e) {
      throw fail(e);
    }
    int out = protocol.getAvailableOutputBytes();
    int produced = protocol.readOutput(dst, Math.min(out, dst.remaining()));
    return result(Status.OK, n, produced);
  }

  @Override
  public synchronized SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset,
      int length) throws SSLException {
    checkArgs(dsts, offset, length);
    for (int i = offset; i < offset + length; i++) {
      if (dsts[i].isReadOnly()) {
        throw new ReadOnlyBufferException();
      }
    }
    if (protocol.getAvailableInputBytes() > 0) {
      int produced = drainInput(dsts, offset, length);
      return result(Status.OK, 0, produced);
    }
    if (inboundDone || (started && protocol.isClosed())) {
      inboundDone = true;
      return result(Status.CLOSED, 0, 0);
    }
    ensureStarted();
    if (prefetch != null && prefetch.holding()) {
      // The lookup is over (or the caller did not wait for it): the held ClientHello goes first.
      feed(prefetch.takeHeld());
      if (src.remaining() < RECORD_HEADER) {
        return result(Status.OK, 0, drainInput(dsts, offset, length));
      }
    }
    if (src.remaining() < RECORD_HEADER) {
      return result(Status.BUFFER_UNDERFLOW, 0, 0);
    }
    int pos = src.position();
    int type = src.get(pos) & 0xFF;
    int len = (src.get(pos + 3) & 0xFF) << 8 | (src.get(pos + 4) & 0xFF);
    int recordLen = RECORD_HEADER + len;
    if (len > MAX_CIPHERTEXT) {
      // Let Bouncy Castle reject the header (record_overflow) and queue the alert.
      src.get(scratch, 0, RECORD_HEADER);
      try {
        protocol.offerInput(scratch, 0, RECORD_HEADER);
      } catch (IOException e) {
        throw fail(e);
      }
      throw fail(new IOException("record too long: " + len));
    }
    if (src.remaining() < recordLen) {
      return result(Status.BUFFER_UNDERFLOW, 0, 0);
    }
    if (type == 23 && remaining(dsts, offset, length)
        < Math.min(len, ShredcacheSslSession.APPLICATION_BUFFER_SIZE)) {
      return result(Status.BUFFER_OVERFLOW, 0, 0);
    }
    src.get(scratch, 0, recordLen);
    if (prefetch != null && prefetch.collecting()) {
      switch (prefetch.offer(scratch, 0, recordLen)) {
        case HOLD:
          return new SSLEngineResult(Status.OK, HandshakeStatus.NEED_UNWRAP, recordLen, 0);
        case WAIT:
          return new SSLEngineResult(Status.OK, HandshakeStatus.NEED_TASK, recordLen, 0);
        default:
          feed(prefetch.takeHeld());
      }
    } else {
      feed(scratch, 0, recordLen);
    }
    int produced = drainInput(dsts, offset, length);
    if (protocol.isClosed()) {
      inboundDone = true;
      closeNotifyReceived = !failed;
      return result(Status.CLOSED, recordLen, produced);
    }
    return result(Status.OK, recordLen, produced);
  }

  private void feed(byte[] records) throws SSLException {
    feed(records, 0, records.length);
  }

  private void feed(byte[] records, int offset, int length) throws SSLException {
    try {
      protocol.offerInput(records, offset, length);
    } catch (IOException e) {
      throw fail(e);
    }
  }

  private int drainInput(ByteBuffer[] dsts, int offset, int length) {
    int produced = 0;
    for (int i = offset; i < offset + length; i++) {
      int avail = protocol.getAvailableInputBytes();
      if (avail == 0) {
        break;
      }
      ByteBuffer dst = dsts[i];
      int k = Math.min(avail, dst.remaining());
      if (k > 0) {
        produced += protocol.readInput(dst, k);
      }
    }
    return produced;
  }

  private static int remaining(ByteBuffer[] bufs, int offset, int length) {
    long r = 0;
    for (int i = offset; i < offset + length; i++) {
      r += bufs[i].remaining();
    }
    return (int) Math.min(Integer.MAX_VALUE, r);
  }

  private static void checkArgs(ByteBuffer[] bufs, int offset, int length) {
    if (bufs == null) {
      throw new IllegalArgumentException("buffers must not be null");
    }
    if (offset < 0 || length < 0 || offset > bufs.length - length) {
      throw new IndexOutOfBoundsException();
    }
    for (int i = offset; i < offset + length; i++) {
      if (bufs[i] == null) {
        throw new IllegalArgumentException("buffer " + i + " is null");
      }
    }
  }

  /** Marks the engine failed; the fatal alert Bouncy Castle queued goes out with the next wrap. */
  private SSLException fail(IOException cause) {
    failed = true;
    inboundDone = true;
    String msg = failureMessage != null ? failureMessage : String.valueOf(cause.getMessage());
    SSLException e = handshakeDone ? new SSLException(msg, cause)
        : new SSLHandshakeException(msg);
    if (!handshakeDone) {
      e.initCause(cause);
    }
    return e;
  }

  private boolean isOutboundClosedState() {
    return outboundClosed || failed || (started && protocol.isClosed());
  }

  private SSLEngineResult result(Status status, int consumed, int produced) {
    HandshakeStatus hs;
    if (finishedPending && protocol.getAvailableOutputBytes() == 0) {
      finishedPending = false;
      hs = HandshakeStatus.FINISHED;
    } else {
      hs = handshakeStatus();
    }
    return new SSLEngineResult(status, hs, consumed, produced);
  }

  private HandshakeStatus handshakeStatus() {
    if (prefetch != null && !failed && !outboundClosed && !inboundDone) {
      HandshakeStatus held = prefetch.status();
      if (held != null) {
        return held;
      }
    }
    if (protocol.getAvailableOutputBytes() > 0) {
      return HandshakeStatus.NEED_WRAP;
    }
    if (started && !handshakeDone && !failed && !protocol.isClosed() && !outboundClosed
        && !inboundDone) {
      return HandshakeStatus.NEED_UNWRAP;
    }
    return HandshakeStatus.NOT_HANDSHAKING;
  }

  @Override
  public synchronized HandshakeStatus getHandshakeStatus() {
    return handshakeStatus();
  }

  @Override
  public @Nullable Runnable getDelegatedTask() {
    return prefetch == null ? null : prefetch.delegatedTask();
  }

  @Override
  public synchronized void closeInbound() throws SSLException {
    if (inboundDone) {
      return;
    }
    inboundDone = true;
    if (prefetch != null) {
      prefetch.abandon();
    }
    boolean truncated = handshakeDone && !closeNotifyReceived && !failed;
    closeOutbound();
    if (truncated) {
      throw new SSLException("inbound closed before receiving the peer's close_notify");
    }
  }

  @Override
  public synchronized boolean isInboundDone() {
    return inboundDone || (started && protocol.isClosed());
  }

  @Override
  public synchronized void closeOutbound() {
    if (outboundClosed) {
      return;
    }
    outboundClosed = true;
    if (prefetch != null) {
      prefetch.abandon();
    }
    if (started && !protocol.isClosed()) {
      try {
        protocol.close(); // queues close_notify (and user_canceled during a handshake)
      } catch (IOException ignored) {
        // nothing more to send
      }
    }
  }

  @Override
  public synchronized boolean isOutboundDone() {
    return isOutboundClosedState() && protocol.getAvailableOutputBytes() == 0;
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return config.cipherSuiteNames.toArray(new String[0]);
  }

  @Override
  public synchronized String[] getEnabledCipherSuites() {
    return enabledSuiteNames.clone();
  }

  @Override
  public synchronized void setEnabledCipherSuites(String[] suites) {
    List<Integer> ints = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String s : suites) {
      int i = config.cipherSuiteNames.indexOf(s);
      if (i < 0) {
        throw new IllegalArgumentException("unsupported cipher suite " + s + "; supported: "
            + config.cipherSuiteNames);
      }
      ints.add(config.cipherSuites[i]);
      names.add(s);
    }
    enabledSuites = ints.stream().mapToInt(Integer::intValue).toArray();
    enabledSuiteNames = names.toArray(new String[0]);
  }

  @Override
  public String[] getSupportedProtocols() {
    return config.protocolNames.toArray(new String[0]);
  }

  @Override
  public synchronized String[] getEnabledProtocols() {
    return enabledProtocolNames.clone();
  }

  @Override
  public synchronized void setEnabledProtocols(String[] protocols) {
    List<ProtocolVersion> v = new ArrayList<>();
    for (String p : protocols) {
      if (!config.protocolNames.contains(p)) {
        throw new IllegalArgumentException("unsupported protocol " + p + "; supported: "
            + config.protocolNames);
      }
      v.add(ServerConfig.TLS13.equals(p) ? ProtocolVersion.TLSv13 : ProtocolVersion.TLSv12);
    }
    enabledVersions = v.toArray(new ProtocolVersion[0]);
    enabledProtocolNames = protocols.clone();
  }

  @Override
  public SSLSession getSession() {
    return session;
  }

  @Override
  public @Nullable SSLSession getHandshakeSession() {
    return handshakeSession;
  }

  @Override
  public void setUseClientMode(boolean mode) {
    if (mode) {
      throw new IllegalArgumentException("this engine is server-only");
    }
  }

  @Override
  public boolean getUseClientMode() {
    return false;
  }

  @Override
  public synchronized void setNeedClientAuth(boolean need) {
    clientAuth = need ? ClientAuth.REQUIRE : ClientAuth.NONE;
    checkTrust();
  }

  @Override
  public synchronized boolean getNeedClientAuth() {
    return clientAuth == ClientAuth.REQUIRE;
  }

  @Override
  public synchronized void setWantClientAuth(boolean want) {
    clientAuth = want ? ClientAuth.OPTIONAL : ClientAuth.NONE;
    checkTrust();
  }

  @Override
  public synchronized boolean getWantClientAuth() {
    return clientAuth == ClientAuth.OPTIONAL;
  }

  private void checkTrust() {
    if (clientAuth != ClientAuth.NONE && config.trustManager == null) {
      clientAuth = ClientAuth.NONE;
      throw new IllegalStateException(
          "client authentication needs ShredcacheSslContextBuilder.trustManager(..)");
    }
  }

  @Override
  public void setEnableSessionCreation(boolean flag) {
    if (!flag) {
      throw new UnsupportedOperationException("session creation cannot be disabled");
    }
  }

  @Override
  public boolean getEnableSessionCreation() {
    return true;
  }

  /** The ALPN protocol: {@code null} before the handshake, {@code ""} if none was negotiated. */
  @Override
  public @Nullable String getApplicationProtocol() {
    return applicationProtocol;
  }

  @Override
  public synchronized @Nullable String getHandshakeApplicationProtocol() {
    return null;
  }

  @Override
  public synchronized void setHandshakeApplicationProtocolSelector(
      BiFunction<SSLEngine, List<String>, String> selector) {
    if (!nettyAlpnWrapper) {
      throw new UnsupportedOperationException(
          "configure ALPN with ShredcacheSslContextBuilder.applicationProtocols(..)");
    }
    // Netty's selector offers the configured protocols under the configured policy, which the
    // TLS server applies itself; the wrapper reads the result from getApplicationProtocol().
  }

  @Override
  public String toString() {
    return "ShredcacheSslEngine[" + session.getProtocol() + ", " + resumption() + "]";
  }
}
