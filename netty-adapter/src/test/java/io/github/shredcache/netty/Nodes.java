package io.github.shredcache.netty;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionStore;
import java.time.Duration;
import java.time.InstantSource;

/** Builds real session caches for "nodes" of a test cluster: one key chain, one shared store. */
final class Nodes {
  private Nodes() {}

  /** A new random key chain token (1 h epochs) at the current epoch. */
  static String newToken() {
    KeyToken t = KeyToken.generate(Duration.ofHours(1), InstantSource.system());
    try {
      return t.encode();
    } finally {
      t.destroy();
    }
  }

  /** A node's cache: keys from {@code token}, on {@code store}, namespace "it". */
  static SessionCache cache(String token, SessionStore store, Duration lookupTimeout) {
    InstantSource clock = InstantSource.system();
    return SessionCache.builder()
        .keys(KeyRatchet.fromToken(KeyToken.parse(token, clock), Duration.ofMinutes(10), clock))
        .store(store)
        .namespace("it")
        .lookupTimeout(lookupTimeout)
        .build();
  }

  static SessionCache cache(String token, SessionStore store) {
    return cache(token, store, Duration.ofSeconds(1));
  }
}
