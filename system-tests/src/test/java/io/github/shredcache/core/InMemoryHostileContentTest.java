package io.github.shredcache.core;

import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.HostileStoreContract;
import java.time.Duration;
import java.util.Optional;

/** {@link HostileStoreContract} on the {@link InMemorySessionStore}. */
class InMemoryHostileContentTest extends HostileStoreContract {
  private InMemorySessionStore memory;

  @Override
  protected SessionStore newStore(FakeClock clock) {
    memory = new InMemorySessionStore(clock);
    return memory;
  }

  @Override
  protected void plant(String key, byte[] value) {
    memory.set(key, value, Duration.ofDays(1)).join();
  }

  @Override
  protected Optional<byte[]> rawGet(String key) {
    return memory.get(key).join();
  }

  @Override
  protected boolean acceptsOversizedValues() {
    return false; // InMemorySessionStore refuses values over MAX_VALUE_BYTES on set
  }
}
