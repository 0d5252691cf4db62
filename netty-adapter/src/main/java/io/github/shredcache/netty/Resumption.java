package io.github.shredcache.netty;

/**
 * How the TLS handshake of a {@link ShredcacheSslContext} engine went, as reported by {@link
 * ShredcacheSslContext#resumption(javax.net.ssl.SSLEngine)}.
 */
public enum Resumption {
  /** A full handshake (also the answer before a handshake completed, and for TLS 1.3). */
  FULL,
  /** An abbreviated TLS 1.2 handshake whose session state was put into the cache by this node. */
  RESUMED_LOCAL,
  /**
   * An abbreviated TLS 1.2 handshake whose session state was fetched from the shared store: sealed
   * by a node of the cluster, typically another one.
   */
  RESUMED_SHARED
}
