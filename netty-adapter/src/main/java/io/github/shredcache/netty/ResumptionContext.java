package io.github.shredcache.netty;

import static java.util.Objects.requireNonNull;

import io.netty.handler.ssl.ClientAuth;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The identity of a TLS server configuration, which a session must match to be resumed: a
 * SHA-256 digest over the server certificate chain, the client authentication mode and, when
 * client certificates are asked for, the set of trusted client CA certificates. Two servers
 * resume each other's sessions only if their identities are equal; this is what OpenSSL's
 * session ID context ({@code SSL_CTX_set_session_id_context}) is for.
 *
 * <p>Not in the identity, on purpose: the namespace and key chain of the session cache (they
 * already bind every sealed entry), the enabled protocols and cipher suites (a resumption is
 * checked against them one by one), and the ALPN protocols (negotiated afresh on every handshake,
 * RFC 7301 3.1). The Bouncy Castle engine adds the server name the client sent (RFC 6066 3) per
 * connection.
 *
 * <h3>Use</h3>
 * {@link ShredcacheSslContext} computes its own. In ticket mode pass one to {@link
 * TicketKeyRotator#start}, made from the same certificates and client authentication settings as
 * the OpenSSL context.
 *
 * <p>Immutable and thread-safe. Not secret: {@link #toString()} shows a prefix of the digest.
 */
public final class ResumptionContext {
  private static final byte[] CONTEXT_LABEL =
      "shredcache/v1 resumption context".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BINDING_LABEL =
      "shredcache/v1 session binding".getBytes(StandardCharsets.US_ASCII);
  /** Size of the identity and of a session binding, in bytes (also OpenSSL's maximum). */
  static final int SIZE_BYTES = 32;

  private final byte[] digest;

  private ResumptionContext(byte[] digest) {
    this.digest = digest;
  }

  /**
   * Returns the identity of a server that presents {@code serverChain} (leaf first) and
   * authenticates clients in {@code clientAuth} mode against {@code trustedClientCas} (ignored,
   * and may be empty, for {@link ClientAuth#NONE}). The order of the CA certificates does not
   * matter.
   *
   * @throws IllegalArgumentException if the chain is empty, a certificate cannot be encoded, or
   *     client authentication is asked for without CA certificates
   */
  public static ResumptionContext of(X509Certificate[] serverChain, ClientAuth clientAuth,
      X509Certificate... trustedClientCas) {
    requireNonNull(serverChain, "serverChain");
    requireNonNull(clientAuth, "clientAuth");
    requireNonNull(trustedClientCas, "trustedClientCas");
    if (serverChain.length == 0) {
      throw new IllegalArgumentException("serverChain must hold at least the leaf certificate");
    }
    if (clientAuth != ClientAuth.NONE && trustedClientCas.length == 0) {
      throw new IllegalArgumentException(
          "clientAuth " + clientAuth + " needs the trusted client CA certificates");
    }
    MessageDigest sha256 = sha256();
    sha256.update(CONTEXT_LABEL);
    sha256.update(u32(serverChain.length));
    for (X509Certificate c : serverChain) {
      byte[] der = encoded(requireNonNull(c, "serverChain element"));
      sha256.update(u32(der.length));
      sha256.update(der);
    }
    sha256.update(mode(clientAuth));
    // A set: sorted, each certificate once.
    SortedSet<byte[]> cas = new TreeSet<>(Arrays::compareUnsigned);
    if (clientAuth != ClientAuth.NONE) {
      for (X509Certificate c : trustedClientCas) {
        cas.add(sha256().digest(encoded(requireNonNull(c, "trustedClientCas element"))));
      }
    }
    sha256.update(u32(cas.size()));
    cas.forEach(sha256::update);
    return new ResumptionContext(sha256.digest());
  }

  /** The identity itself: 32 bytes, the OpenSSL session ID context. */
  byte[] digest() {
    return digest.clone();
  }

  /**
   * The binding of a session made under this identity for a client that sent {@code serverName}
   * (the SNI host name, or {@code null} when it sent none): 32 bytes, stored with the session and
   * compared on resumption. Host names compare case-insensitively (ASCII letters, as DNS does);
   * any other byte compares as it is.
   */
  byte[] bind(byte @Nullable [] serverName) {
    MessageDigest sha256 = sha256();
    sha256.update(BINDING_LABEL);
    sha256.update(digest);
    if (serverName == null) {
      sha256.update((byte) 0);
    } else {
      byte[] name = serverName.clone();
      for (int i = 0; i < name.length; i++) {
        if (name[i] >= 'A' && name[i] <= 'Z') {
          name[i] += 'a' - 'A';
        }
      }
      sha256.update((byte) 1);
      sha256.update(u32(name.length));
      sha256.update(name);
    }
    return sha256.digest();
  }

  /** {@link #bind(byte[])} of an ASCII host name. */
  byte[] bind(@Nullable String serverName) {
    return bind(serverName == null ? null : serverName.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResumptionContext
        && MessageDigest.isEqual(digest, ((ResumptionContext) o).digest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return "ResumptionContext[" + HexFormat.of().formatHex(digest, 0, 8) + "]";
  }

  private static byte mode(ClientAuth clientAuth) {
    switch (clientAuth) {
      case NONE:
        return 0;
      case OPTIONAL:
        return 1;
      case REQUIRE:
        return 2;
      default:
        throw new IllegalArgumentException("unknown client authentication mode " + clientAuth);
    }
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("a certificate cannot be encoded: " + e.getMessage(), e);
    }
  }

  private static byte[] u32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
