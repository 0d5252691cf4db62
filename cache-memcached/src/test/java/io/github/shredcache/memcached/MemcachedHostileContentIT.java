package io.github.shredcache.memcached;

import io.github.shredcache.core.SessionCacheBuilder;
import io.github.shredcache.core.SessionStore;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.HostileStoreContract;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.testing.memcached.RawMemcachedClient;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link HostileStoreContract} on a real memcached: the attacker plants forged values with a raw
 * memcached client (any flags, any size up to memcached's item limit) under live session keys.
 */
class MemcachedHostileContentIT extends HostileStoreContract {
  private static MemcachedProcess memcached;
  private static RawMemcachedClient attacker;

  @BeforeAll
  static void startMemcached() {
    memcached = MemcachedProcess.start();
    attacker = memcached.raw();
  }

  @AfterAll
  static void stopMemcached() {
    if (attacker != null) {
      attacker.close();
    }
    if (memcached != null) {
      memcached.close();
    }
  }

  @BeforeEach
  void flush() {
    attacker.flushAll();
  }

  @Override
  protected SessionStore newStore(FakeClock clock) {
    // Generous timeouts: a slow answer on a loaded machine must not pass for a rejected entry.
    return MemcachedSessionStore.builder()
        .servers(memcached.address())
        .operationTimeout(Duration.ofSeconds(2))
        .build();
  }

  @Override
  protected SessionCacheBuilder tune(SessionCacheBuilder builder) {
    return builder.lookupTimeout(Duration.ofSeconds(3));
  }

  @Override
  protected void plant(String key, byte[] value) {
    attacker.set(key, value, 0, 3600); // flags 0: not even our flags
  }

  @Override
  protected Optional<byte[]> rawGet(String key) {
    return attacker.getBytes(key);
  }
}
