package io.github.shredcache.netty;

import java.security.Principal;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionBindingEvent;
import javax.net.ssl.SSLSessionBindingListener;
import javax.net.ssl.SSLSessionContext;
import org.jspecify.annotations.Nullable;

/**
 * The {@link SSLSession} view of one connection's TLS session. Immutable apart from the
 * application values; holds no secrets (the master secret stays in Bouncy Castle and the cache).
 */
final class ShredcacheSslSession implements SSLSession {
  /** TLS 1.3 plaintext limit (2^14). */
  static final int APPLICATION_BUFFER_SIZE = 16 * 1024;
  /** Record header + largest plaintext + room for nonce, tag and inner content type. */
  static final int PACKET_BUFFER_SIZE = 5 + APPLICATION_BUFFER_SIZE + 256;

  private final byte[] id;
  private final String protocol;
  private final String cipherSuite;
  private final X509Certificate @Nullable [] localCertificates;
  private final X509Certificate @Nullable [] peerCertificates;
  private final @Nullable String peerHost;
  private final int peerPort;
  private final long creationTime;
  private final SSLSessionContext sessionContext;
  private final @Nullable Runnable invalidator;
  private final Resumption resumption;
  private final Map<String, Object> values = new ConcurrentHashMap<>();
  private volatile boolean valid = true;
  private volatile long lastAccessedTime;

  ShredcacheSslSession(byte @Nullable [] id, String protocol, String cipherSuite,
      X509Certificate @Nullable [] localCertificates,
      X509Certificate @Nullable [] peerCertificates, @Nullable String peerHost,
      int peerPort, SSLSessionContext sessionContext, @Nullable Runnable invalidator,
      Resumption resumption) {
    this.id = id == null ? new byte[0] : id.clone();
    this.protocol = protocol;
    this.cipherSuite = cipherSuite;
    this.localCertificates = localCertificates;
    this.peerCertificates = peerCertificates;
    this.peerHost = peerHost;
    this.peerPort = peerPort;
    this.sessionContext = sessionContext;
    this.invalidator = invalidator;
    this.resumption = resumption;
    this.creationTime = System.currentTimeMillis();
    this.lastAccessedTime = creationTime;
  }

  /** The session before any handshake completed, as SunJSSE reports it. */
  static ShredcacheSslSession nullSession(@Nullable String peerHost, int peerPort,
      SSLSessionContext sessionContext) {
    ShredcacheSslSession s = new ShredcacheSslSession(null, "NONE", "SSL_NULL_WITH_NULL_NULL",
        null, null, peerHost, peerPort, sessionContext, null, Resumption.FULL);
    s.valid = false;
    return s;
  }

  /** How the handshake that made this session went. */
  Resumption resumption() {
    return resumption;
  }

  @Override
  public byte[] getId() {
    return id.clone();
  }

  @Override
  public SSLSessionContext getSessionContext() {
    return sessionContext;
  }

  @Override
  public long getCreationTime() {
    return creationTime;
  }

  @Override
  public long getLastAccessedTime() {
    return lastAccessedTime;
  }

  @Override
  public void invalidate() {
    if (valid) {
      valid = false;
      if (invalidator != null) {
        invalidator.run();
      }
    }
  }

  @Override
  public boolean isValid() {
    return valid;
  }

  @Override
  public void putValue(String name, Object value) {
    Object old = values.put(name, value);
    if (value instanceof SSLSessionBindingListener) {
      ((SSLSessionBindingListener) value).valueBound(new SSLSessionBindingEvent(this, name));
    }
    if (old instanceof SSLSessionBindingListener && old != value) {
      ((SSLSessionBindingListener) old).valueUnbound(new SSLSessionBindingEvent(this, name));
    }
  }

  @Override
  public @Nullable Object getValue(String name) {
    return values.get(name);
  }

  @Override
  public void removeValue(String name) {
    Object old = values.remove(name);
    if (old instanceof SSLSessionBindingListener) {
      ((SSLSessionBindingListener) old).valueUnbound(new SSLSessionBindingEvent(this, name));
    }
  }

  @Override
  public String[] getValueNames() {
    return values.keySet().toArray(new String[0]);
  }

  @Override
  public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
    if (peerCertificates == null || peerCertificates.length == 0) {
      throw new SSLPeerUnverifiedException("peer not authenticated");
    }
    return peerCertificates.clone();
  }

  @Override
  public Certificate @Nullable [] getLocalCertificates() {
    return localCertificates == null ? null : localCertificates.clone();
  }

  @SuppressWarnings({"deprecation", "removal"})
  @Override
  public javax.security.cert.X509Certificate[] getPeerCertificateChain()
      throws SSLPeerUnverifiedException {
    throw new UnsupportedOperationException("deprecated; use getPeerCertificates()");
  }

  @Override
  public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
    if (peerCertificates == null || peerCertificates.length == 0) {
      throw new SSLPeerUnverifiedException("peer not authenticated");
    }
    return peerCertificates[0].getSubjectX500Principal();
  }

  @Override
  public @Nullable Principal getLocalPrincipal() {
    return localCertificates == null || localCertificates.length == 0
        ? null
        : localCertificates[0].getSubjectX500Principal();
  }

  @Override
  public String getCipherSuite() {
    return cipherSuite;
  }

  @Override
  public String getProtocol() {
    return protocol;
  }

  @Override
  public @Nullable String getPeerHost() {
    return peerHost;
  }

  @Override
  public int getPeerPort() {
    return peerPort;
  }

  @Override
  public int getPacketBufferSize() {
    return PACKET_BUFFER_SIZE;
  }

  @Override
  public int getApplicationBufferSize() {
    return APPLICATION_BUFFER_SIZE;
  }

  @Override
  public String toString() {
    return "ShredcacheSslSession[" + protocol + ", " + cipherSuite + "]";
  }
}
