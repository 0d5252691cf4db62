package io.github.shredcache.demo.node;

import io.github.shredcache.core.SessionStore;
import io.github.shredcache.demo.cli.SecretFiles;
import io.github.shredcache.demo.cli.UsageException;
import io.github.shredcache.memcached.MemcachedSessionStore;
import io.github.shredcache.memcached.MemcachedSessionStoreBuilder;
import java.util.Arrays;

/** Makes the node's shared store from its configuration. */
final class Stores {
  private Stores() {}

  /**
   * Returns the memcached store for {@code config} (connected and checked once), which the caller
   * owns and closes. The SASL password is read from its file once and the read buffer zeroized.
   *
   * @throws UsageException if the servers or credentials cannot be used
   */
  static SessionStore memcached(NodeConfig config) {
    MemcachedSessionStoreBuilder builder = MemcachedSessionStore.builder();
    String servers = String.join(",", config.memcachedServers());
    try {
      builder.servers(servers).operationTimeout(config.storeTimeout());
    } catch (IllegalArgumentException e) {
      throw new UsageException("--memcached " + servers + " / --store-timeout: " + e.getMessage());
    }
    if (config.memcachedUser() != null) {
      char[] password = SecretFiles.readChars(config.memcachedPasswordFile(), "--memcached-password-file");
      try {
        builder.credentials(config.memcachedUser(), password);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--memcached-user / --memcached-password-file: " + e.getMessage());
      } finally {
        Arrays.fill(password, '\0');
      }
    }
    try {
      return builder.build();
    } catch (IllegalStateException e) {
      // Rejected credentials, or a client that cannot start: the message names servers and user.
      throw new UsageException("--memcached " + servers + ": " + e.getMessage());
    }
  }
}
