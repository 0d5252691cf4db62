package io.github.shredcache.demo;

import io.github.shredcache.core.SessionStore;

/** Makes the node's shared store from its configuration. */
final class Stores {
  private Stores() {}

  /**
   * Returns the memcached store for {@code config}, which the caller owns and closes.
   *
   * @throws UsageException if the configuration cannot be used
   */
  static SessionStore memcached(NodeConfig config) {
    // INTERIM: MemcachedSessionStore (cache-memcached) is not in this build yet.
    throw new UsageException("--memcached is not available yet in this build (the memcached store is"
        + " being written); run without it for the in-memory store");
  }
}
