package io.github.shredcache.demo.node;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.SessionCache;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * The TLS side of a node, one implementation per {@code --engine}. Made once at start, used by
 * every connection, closed at shutdown.
 *
 * <h3>Adding an engine</h3>
 *
 * Implement this interface in its own class (constructor taking a {@link Setup}) and return it from
 * the engine's case in {@link #create}.
 *
 * <p>Implementations are thread-safe: {@link #newHandler} and {@link #handshake} run on event
 * loops concurrently.
 */
interface NodeTls extends AutoCloseable {

  /** The TLS engines a node can run. */
  enum Engine {
    /** Bouncy Castle TLS through ShredcacheSslContext: TLS 1.2 session-ID resumption across nodes. */
    BC,
    /** Netty's OpenSSL provider with ratchet-derived, rotating session ticket keys. */
    OPENSSL,
    /** Netty's JDK provider: node-local resumption only; a baseline for comparisons. */
    JDK;

    /** Returns the name used on the command line and in metrics, e.g. {@code bc}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** For the start-up log line: the engine's label, plus what it wants an operator to know. */
  default String description() {
    return engine().label();
  }

  /**
   * What an engine may use. The node owns all of it; engines must not close any of it. The key and
   * certificates are in memory (read from the PEM files once, or generated): engines hand them to
   * their TLS context and write no file. {@link #toString()} does not show the key.
   *
   * @param key the private key
   * @param certChain the certificate chain, leaf first
   * @param cache the node's session cache (cluster-wide, sealed entries)
   * @param ratchet the node's epoch key ratchet (e.g. for ticket keys)
   * @param sessionLifetime how long a session may be resumed
   * @param lookupTimeout how long a handshake may wait for the shared store
   */
  record Setup(
      PrivateKey key,
      List<X509Certificate> certChain,
      SessionCache cache,
      KeyRatchet ratchet,
      Duration sessionLifetime,
      Duration lookupTimeout) {

    /** Copies the chain; at least the leaf certificate. */
    public Setup {
      certChain = List.copyOf(certChain);
      if (certChain.isEmpty()) {
        throw new IllegalArgumentException("certChain must hold at least the leaf certificate");
      }
    }

    /** The certificate chain as an array, leaf first, for the TLS context builders. */
    public X509Certificate[] certChainArray() {
      return certChain.toArray(new X509Certificate[0]);
    }

    /** Shows the leaf's subject and the key's algorithm, never the key. */
    @Override
    public String toString() {
      return "Setup[" + certChain.get(0).getSubjectX500Principal().getName() + ", "
          + key.getAlgorithm() + " key redacted, lifetime " + sessionLifetime + "]";
    }
  }

  /**
   * Returns the TLS setup for {@code engine}.
   *
   * @throws UsageException if the engine is not available in this build
   * @throws SSLException if the certificate or key cannot be used
   */
  static NodeTls create(Engine engine, Setup setup) throws SSLException {
    return switch (engine) {
      case BC -> BcNodeTls.create(setup);
      case OPENSSL -> OpenSslNodeTls.create(setup);
      case JDK -> new JdkNodeTls(setup);
    };
  }

  /** Returns the engine this setup runs. */
  Engine engine();

  /**
   * Returns the TLS handler for a new connection, made by the engine's {@code
   * SslContext.newHandler(alloc)}; the node listens for its handshake completion.
   */
  SslHandler newHandler(ByteBufAllocator alloc);

  /** Returns how the completed handshake of {@code engine} went. */
  Handshake handshake(SSLEngine engine);

  /** Releases what this setup made (contexts, rotation tasks). Idempotent. */
  @Override
  default void close() {}
}
