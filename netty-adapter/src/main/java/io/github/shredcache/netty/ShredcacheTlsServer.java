package io.github.shredcache.netty;

import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.core.SessionState;
import io.netty.handler.ssl.ClientAuth;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.Vector;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsCredentialedSigner;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.KeyExchangeAlgorithm;
import org.bouncycastle.tls.NameType;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.RenegotiationPolicy;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.ServerName;
import org.bouncycastle.tls.SessionParameters;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSession;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.TlsSecret;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Bouncy Castle {@code TlsServer} of one connection: credentials, suites, ALPN, client
 * authentication, and the TLS 1.2 session hooks that talk to the {@link SessionCache}. Confined
 * to the engine's thread (Bouncy Castle calls it from inside {@code offerInput}).
 */
final class ShredcacheTlsServer extends DefaultTlsServer {
  private static final Logger log = LoggerFactory.getLogger(ShredcacheTlsServer.class);
  private static final int SESSION_ID_BYTES = 32;

  private final ServerConfig config;
  private final ShredcacheSslEngine engine;
  /** The session this connection put into or resumed from the cache, for invalidation. */
  private volatile @Nullable SessionId cachedId;
  /** The parameters we built for a resumption; cleared once the handshake is over. */
  private @Nullable SessionParameters imported;
  private Resumption importedFrom = Resumption.FULL;
  private volatile Resumption resumption = Resumption.FULL;

  ShredcacheTlsServer(ServerConfig config, ShredcacheSslEngine engine) {
    super(config.crypto);
    this.config = config;
    this.engine = engine;
  }

  Resumption resumption() {
    return resumption;
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    return engine.enabledVersions();
  }

  @Override
  protected int[] getSupportedCipherSuites() {
    return engine.enabledSuites();
  }

  @Override
  protected @Nullable Vector<ProtocolName> getProtocolNames() {
    return config.alpn;
  }

  @Override
  public int getRenegotiationPolicy() {
    return RenegotiationPolicy.DENY;
  }

  // ---- negotiation: only what the crypto can do, in the server's order ---------------------

  /** The server's order among the (all AEAD, all ECDHE) suites both sides offer. */
  @Override
  protected boolean preferLocalCipherSuites() {
    return true;
  }

  /** TLS 1.3 key share groups: the client's first choice among those the crypto can do. */
  @Override
  public int[] getSupportedGroups() {
    return config.groups.clone();
  }

  /**
   * TLS 1.2: a suite is selectable only if the handshake can finish with it: a group both sides
   * have, a signature scheme both sides have for the server key, and for ECDSA a certificate on a
   * curve the client listed (RFC 8422 5.1). Otherwise the next suite; none left is a
   * handshake_failure.
   */
  @Override
  protected boolean isSelectableCipherSuite(int cipherSuite, int availCurveBits,
      int availFiniteFieldBits, Vector sigAlgs) {
    if (!super.isSelectableCipherSuite(cipherSuite, availCurveBits, availFiniteFieldBits,
        sigAlgs)) {
      return false;
    }
    if (TlsUtils.getKeyExchangeAlgorithm(cipherSuite) == KeyExchangeAlgorithm.ECDHE_ECDSA
        && !clientListsGroup(config.certificateCurve)) {
      return false;
    }
    return selectSignature(false) != null;
  }

  @Override
  protected int getMaximumNegotiableCurveBits() {
    int group = selectGroup12();
    return group < 0 ? 0 : NamedGroup.getCurveBits(group);
  }

  @Override
  protected int getMaximumNegotiableFiniteFieldBits() {
    return 0;
  }

  @Override
  protected int selectECDH(int minimumCurveBits) {
    int group = selectGroup12();
    return group >= 0 && NamedGroup.getCurveBits(group) >= minimumCurveBits ? group : -1;
  }

  @Override
  protected int selectDH(int minimumFiniteFieldBits) {
    return -1;
  }

  /** TLS 1.2: the server's first group that the client lists (P-256 if it lists none). */
  private int selectGroup12() {
    int[] client = context.getSecurityParametersHandshake().getClientSupportedGroups();
    if (client == null) {
      // RFC 8422 5.1: without the extension the server may pick; P-256 is what such clients have.
      return contains(config.groups, NamedGroup.secp256r1) ? NamedGroup.secp256r1
          : config.groups[0];
    }
    for (int group : config.groups) {
      if (contains(client, group)) {
        return group;
      }
    }
    return -1;
  }

  private boolean clientListsGroup(int group) {
    int[] client = context.getSecurityParametersHandshake().getClientSupportedGroups();
    return client == null || group < 0 || contains(client, group);
  }

  /** The server's first signature scheme for its key that the client offered, or null. */
  private @Nullable SignatureAndHashAlgorithm selectSignature(boolean tls13) {
    @SuppressWarnings("unchecked")
    Vector<SignatureAndHashAlgorithm> offered =
        context.getSecurityParametersHandshake().getClientSigAlgs();
    if (offered == null) {
      if (tls13) {
        return null;
      }
      // RFC 5246 7.4.1.4.1: no extension means SHA-1, which this server does not sign with.
      offered = TlsUtils.getDefaultSignatureAlgorithms(
          config.rsaKey ? SignatureAlgorithm.rsa : SignatureAlgorithm.ecdsa);
    }
    for (SignatureAndHashAlgorithm alg : tls13 ? config.signatures13 : config.signatures12) {
      if (offered.contains(alg)) {
        return alg;
      }
    }
    return null;
  }

  @Override
  public TlsCredentials getCredentials() throws IOException {
    SecurityParameters sp = context.getSecurityParametersHandshake();
    boolean tls13 = TlsUtils.isTLSv13(sp.getNegotiatedVersion());
    if (tls13 && sp.getClientSigAlgs() == null) {
      throw new TlsFatalAlert(AlertDescription.missing_extension, "no signature_algorithms");
    }
    SignatureAndHashAlgorithm alg = selectSignature(tls13);
    if (alg == null) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure,
          "no signature algorithm in common for the server key");
    }
    Certificate cert = tls13 ? config.certificate13 : config.certificate12;
    NativeSigner nativeSigner = config.nativeSigner;
    if (nativeSigner != null && nativeSigner.supports(alg)) {
      return new DefaultTlsCredentialedSigner(new TlsCryptoParameters(context), nativeSigner, cert,
          alg);
    }
    return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), config.crypto,
        config.privateKey, cert, alg);
  }

  @Override
  public @Nullable CertificateRequest getCertificateRequest() throws IOException {
    if (engine.clientAuthMode() == ClientAuth.NONE) {
      return null;
    }
    Vector<?> sigAlgs = TlsUtils.getDefaultSupportedSignatureAlgorithms(context);
    if (TlsUtils.isTLSv13(context)) {
      return new CertificateRequest(TlsUtils.EMPTY_BYTES, sigAlgs, null, null);
    }
    return new CertificateRequest(
        new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
        sigAlgs, null);
  }

  @Override
  public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
    if (clientCertificate == null || clientCertificate.isEmpty()) {
      if (engine.clientAuthMode() == ClientAuth.REQUIRE) {
        throw new TlsFatalAlert(TlsUtils.isTLSv13(context)
            ? AlertDescription.certificate_required : AlertDescription.handshake_failure,
            "client certificate required");
      }
      return;
    }
    X509Certificate[] chain = toX509(clientCertificate);
    X509TrustManager trustManager = config.trustManager;
    if (chain == null || trustManager == null) {
      // Not reached: a certificate is requested only with a trust manager (the engine's checkTrust).
      throw new TlsFatalAlert(
          AlertDescription.handshake_failure, "client certificate not requested");
    }
    try {
      trustManager.checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
    } catch (CertificateException e) {
      throw new TlsFatalAlert(AlertDescription.bad_certificate, "client certificate rejected", e);
    }
  }

  static X509Certificate @Nullable [] toX509(@Nullable Certificate c) throws IOException {
    if (c == null || c.isEmpty()) {
      return null;
    }
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      TlsCertificate[] list = c.getCertificateList();
      X509Certificate[] out = new X509Certificate[list.length];
      for (int i = 0; i < list.length; i++) {
        out[i] = (X509Certificate) cf.generateCertificate(
            new ByteArrayInputStream(list[i].getEncoded()));
      }
      return out;
    } catch (CertificateException e) {
      throw new TlsFatalAlert(AlertDescription.bad_certificate, "unparseable certificate", e);
    }
  }

  // ---- TLS 1.2 session-ID resumption through the cache ------------------------------------

  @Override
  public byte @Nullable [] getNewSessionID() {
    if (config.cache == null || TlsUtils.isTLSv13(context)) {
      return null;
    }
    byte[] id = new byte[SESSION_ID_BYTES];
    config.crypto.getSecureRandom().nextBytes(id);
    return id;
  }

  @Override
  public @Nullable TlsSession getSessionToResume(byte @Nullable [] sessionId) {
    if (config.cache == null || sessionId == null || sessionId.length == 0
        || sessionId.length > SessionId.MAX_LENGTH_BYTES) {
      return null;
    }
    // Bouncy Castle's server resumes TLS 1.2 only; a resumption must also use extended_master_secret
    // on both sides (else Bouncy Castle answers with a fatal alert instead of a full handshake).
    ProtocolVersion version = context.getServerVersion();
    try {
      if (!ProtocolVersion.TLSv12.equals(version)
          || !TlsExtensionsUtils.hasExtendedMasterSecretExtension(clientExtensions)) {
        return null;
      }
    } catch (IOException e) {
      return null;
    }
    SessionId id = SessionId.of(sessionId);
    Optional<SessionState> found;
    try {
      found = config.cache.peek(id);
    } catch (RuntimeException e) {
      log.warn("session cache peek failed; full handshake", e);
      return null;
    }
    if (found.isEmpty()) {
      return null;
    }
    SessionState state = found.get();
    byte[] bytes = null;
    SessionCodec.Decoded d = null;
    try {
      if (state.expiresAt().isBefore(Instant.now())) {
        return null;
      }
      bytes = state.toByteArray();
      d = SessionCodec.decode(bytes);
      int suite = d.cipherSuite;
      if (d.major != 3 || d.minor != 3 || !d.extendedMasterSecret
          || !contains(offeredCipherSuites, suite) || !contains(engine.enabledSuites(), suite)
          || !TlsUtils.isValidVersionForCipherSuite(suite, ProtocolVersion.TLSv12)) {
        return null;
      }
      byte[] binding = binding();
      if (binding == null || !MessageDigest.isEqual(binding, d.binding)) {
        log.debug("cached session was made under another TLS context or server name;"
            + " full handshake");
        return null;
      }
      Certificate peer = null;
      if (!d.peerCertificates.isEmpty()) {
        TlsCertificate[] certs = new TlsCertificate[d.peerCertificates.size()];
        for (int i = 0; i < certs.length; i++) {
          certs[i] = config.crypto.createCertificate(d.peerCertificates.get(i));
        }
        peer = new Certificate(certs);
        if (!clientChainStillTrusted(peer)) {
          return null;
        }
      } else if (engine.clientAuthMode() == ClientAuth.REQUIRE) {
        return null; // a session without a client certificate cannot satisfy REQUIRE
      }
      TlsSecret masterSecret = config.crypto.createSecret(d.masterSecret);
      SessionParameters params = new SessionParameters.Builder()
          .setCipherSuite(suite)
          .setExtendedMasterSecret(true)
          .setLocalCertificate(config.certificate12)
          .setMasterSecret(masterSecret)
          .setNegotiatedVersion(ProtocolVersion.TLSv12)
          .setPeerCertificate(peer)
          .setServerExtensions(d.serverExtensions)
          .build();
      clearImported();
      imported = params;
      importedFrom = state.source() == SessionState.Source.STORE
          ? Resumption.RESUMED_SHARED : Resumption.RESUMED_LOCAL;
      cachedId = id;
      return TlsUtils.importSession(sessionId, params);
    } catch (IOException | RuntimeException e) {
      log.debug("cached session unusable; full handshake", e);
      return null;
    } finally {
      if (d != null) {
        d.destroy();
      }
      if (bytes != null) {
        Arrays.fill(bytes, (byte) 0);
      }
      state.destroy();
    }
  }

  /**
   * What a session made by this connection is bound to: the configuration's {@link
   * ResumptionContext} under the engine's client authentication mode, and the server name the
   * client sent. Null if the mode has no context (no trust manager).
   */
  private byte @Nullable [] binding() {
    ResumptionContext rc = config.resumptionContext(engine.clientAuthMode());
    return rc == null ? null : rc.bind(serverName());
  }

  /** The host_name of the client's server_name extension (its bytes), or null. */
  private byte @Nullable [] serverName() {
    SecurityParameters sp = context.getSecurityParametersHandshake();
    if (sp == null) {
      sp = context.getSecurityParametersConnection(); // after the handshake, when exporting
    }
    @SuppressWarnings("unchecked")
    Vector<ServerName> names = sp.getClientServerNames();
    if (names != null) {
      for (ServerName n : names) {
        if (n.getNameType() == NameType.host_name) {
          return n.getNameData();
        }
      }
    }
    return null;
  }

  /**
   * Checks a stored client chain again with this context's trust manager, as a full handshake
   * would (it may have expired or its CA may no longer be trusted since the session was made).
   */
  private boolean clientChainStillTrusted(Certificate peer) throws IOException {
    X509TrustManager trustManager = config.trustManager;
    if (engine.clientAuthMode() == ClientAuth.NONE || trustManager == null) {
      return false;
    }
    X509Certificate[] chain = toX509(peer);
    if (chain == null) {
      return false;
    }
    try {
      trustManager.checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
      return true;
    } catch (CertificateException | RuntimeException e) {
      log.debug("stored client certificate no longer trusted; full handshake", e);
      return false;
    }
  }

  private static boolean contains(int[] a, int v) {
    if (a == null) {
      return false;
    }
    for (int x : a) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    SecurityParameters sp = context.getSecurityParametersConnection();
    try {
      if (sp.isResumedSession()) {
        resumption = importedFrom;
      } else if (config.cache != null && ProtocolVersion.TLSv12.equals(sp.getNegotiatedVersion())
          && sp.isExtendedMasterSecret()) {
        exportToCache(config.cache);
      }
    } finally {
      clearImported();
    }
    engine.onHandshakeComplete(this, sp);
  }

  private void exportToCache(SessionCache cache) {
    TlsSession session = context.getSession();
    byte[] sessionId = session == null ? null : session.getSessionID();
    if (sessionId == null || sessionId.length == 0) {
      return;
    }
    SessionParameters p = session.exportSessionParameters();
    if (p == null) {
      return;
    }
    byte[] ms = null;
    byte[] encoded = null;
    try {
      TlsSecret live = p.getMasterSecret();
      // extract() destroys the secret it is called on: work on a copy, keep the live one intact.
      synchronized (live) {
        ms = config.crypto.adoptSecret(live).extract();
      }
      List<byte[]> peer = new ArrayList<>();
      Certificate pc = p.getPeerCertificate();
      if (pc != null && !pc.isEmpty()) {
        for (TlsCertificate c : pc.getCertificateList()) {
          peer.add(c.getEncoded());
        }
      }
      byte[] binding = binding();
      if (binding == null) {
        return;
      }
      Hashtable<?, ?> ext = p.readServerExtensions();
      encoded = SessionCodec.encode(3, 3, p.getCipherSuite(), p.isExtendedMasterSecret(), binding,
          ms, peer, ext);
      SessionId id = SessionId.of(sessionId);
      cache.put(id, encoded, Instant.now().plus(config.sessionLifetime));
      cachedId = id;
    } catch (IOException | RuntimeException e) {
      log.warn("could not cache the TLS session; clients will do full handshakes", e);
    } finally {
      if (ms != null) {
        Arrays.fill(ms, (byte) 0);
      }
      if (encoded != null) {
        Arrays.fill(encoded, (byte) 0);
      }
    }
  }

  private void clearImported() {
    if (imported != null) {
      imported.clear();
      imported = null;
    }
  }

  /** Removes this connection's session from the cache, everywhere. */
  void invalidateSession() {
    SessionId id = cachedId;
    cachedId = null;
    if (id != null && config.cache != null) {
      config.cache.invalidate(id);
    }
  }

  @Override
  public void notifyAlertRaised(short alertLevel, short alertDescription, String message,
      Throwable cause) {
    if (alertLevel == AlertLevel.fatal) {
      log.debug("raising fatal alert {}: {}", AlertDescription.getText(alertDescription), message,
          cause);
      engine.onFatalAlert(AlertDescription.getText(alertDescription), message, false);
      invalidateSession();
    }
  }

  @Override
  public void notifyAlertReceived(short alertLevel, short alertDescription) {
    if (alertLevel == AlertLevel.fatal) {
      engine.onFatalAlert(AlertDescription.getText(alertDescription), null, true);
      invalidateSession();
    }
  }

  @Override
  public void notifyConnectionClosed() {
    clearImported();
  }
}
