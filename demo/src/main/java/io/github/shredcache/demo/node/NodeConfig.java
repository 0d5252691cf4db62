package io.github.shredcache.demo.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A node's validated configuration (no secrets: the token and password stay in their files until
 * the node reads them once at start).
 *
 * @param memcachedServers {@code host:port} of each memcached server; empty: in-memory store
 * @param memcachedUser SASL user, or null
 * @param memcachedPasswordFile file holding the SASL password, or null
 * @param cert certificate chain PEM, or null for a throwaway self-signed one
 * @param key private key PEM, or null (with {@code cert})
 * @param metricsPort port of the metrics endpoint, or -1 for none (0: any free port)
 * @param ioThreads event loop threads, 0 for Netty's default
 * @param warmUp how long to run handshakes against a private copy of the node before listening
 *     (zero: none)
 */
record NodeConfig(
    String nodeName,
    String bind,
    int port,
    List<String> memcachedServers,
    String memcachedUser,
    Path memcachedPasswordFile,
    Path keyTokenFile,
    String namespace,
    Duration sessionLifetime,
    Duration storeTimeout,
    Path cert,
    Path key,
    int metricsPort,
    NodeTls.Engine engine,
    int ioThreads,
    Duration warmUp) {

  NodeConfig {
    memcachedServers = List.copyOf(memcachedServers);
  }

  boolean sharedStore() {
    return !memcachedServers.isEmpty();
  }
}
