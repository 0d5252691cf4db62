package io.github.shredcache.core;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link SessionStore} in this JVM's heap: the embedded default for single-JVM deployments,
 * demos and tests. Several {@link SessionCache}s in one JVM can share one instance, which then
 * plays the role of memcached between them.
 *
 * <p>Thread-safe. Every operation completes before it returns (there is no network). Values are
 * copied in and out. Entries expire after their TTL as measured by the clock given at construction
 * (the system clock by default); expired entries are dropped when read and when the store is
 * full. Keys and values are checked like memcached checks them (key at most 250 printable ASCII
 * characters without spaces, value at most {@link SessionStore#MAX_VALUE_BYTES}); a violation
 * completes the future exceptionally, as a remote store would.
 *
 * <p>Holds only sealed entries; it never sees a plaintext session.
 */
public final class InMemorySessionStore implements SessionStore {
  /** The default maximum number of entries. */
  public static final int DEFAULT_MAXIMUM_ENTRIES = 1_000_000;

  private static final int MAX_KEY_LENGTH = 250;
  private static final Duration MAX_TTL = Duration.ofDays(30);

  private final ConcurrentHashMap<String, Entry> map = new ConcurrentHashMap<>();
  private final InstantSource clock;
  private final int maximumEntries;

  /** A store on the system clock with room for {@value #DEFAULT_MAXIMUM_ENTRIES} entries. */
  public InMemorySessionStore() {
    this(InstantSource.system());
  }

  /** A store whose TTLs follow {@code clock} (for tests: a fake clock). */
  public InMemorySessionStore(InstantSource clock) {
    this(clock, DEFAULT_MAXIMUM_ENTRIES);
  }

  /**
   * A store whose TTLs follow {@code clock}, holding at most {@code maximumEntries} live entries
   * (a {@code set} beyond that fails, as a full remote store may).
   */
  public InMemorySessionStore(InstantSource clock, int maximumEntries) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maximumEntries < 1) {
      throw new IllegalArgumentException("maximumEntries must be positive, was " + maximumEntries);
    }
    this.maximumEntries = maximumEntries;
  }

  @Override
  public CompletableFuture<Optional<byte[]>> get(String key) {
    try {
      checkKey(key);
      Entry e = map.get(key);
      if (e == null) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      if (e.isExpired(clock.instant())) {
        map.remove(key, e);
        return CompletableFuture.completedFuture(Optional.empty());
      }
      return CompletableFuture.completedFuture(Optional.of(e.value.clone()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Void> set(String key, byte[] value, Duration ttl) {
    try {
      checkKey(key);
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(ttl, "ttl");
      if (value.length > MAX_VALUE_BYTES) {
        throw new IllegalArgumentException(
            "value of " + value.length + " bytes is over the limit of " + MAX_VALUE_BYTES);
      }
      if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
        throw new IllegalArgumentException("ttl must be positive and at most 30 days, was " + ttl);
      }
      Instant now = clock.instant();
      if (map.size() >= maximumEntries && !map.containsKey(key)) {
        map.values().removeIf(e -> e.isExpired(now));
        if (map.size() >= maximumEntries) {
          throw new IllegalStateException("in-memory store is full (" + maximumEntries + " entries)");
        }
      }
      map.put(key, new Entry(value.clone(), now.plus(ttl)));
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Boolean> delete(String key) {
    try {
      checkKey(key);
      Entry e = map.remove(key);
      return CompletableFuture.completedFuture(e != null && !e.isExpired(clock.instant()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Returns the number of entries held, expired ones not yet dropped included. */
  public int size() {
    return map.size();
  }

  /** Drops every entry. */
  public void clear() {
    map.clear();
  }

  @Override
  public String toString() {
    return "InMemorySessionStore[" + map.size() + " entries]";
  }

  private static void checkKey(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw new IllegalArgumentException("key must have 1 to 250 characters, had " + key.length());
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw new IllegalArgumentException("key must be printable ASCII without spaces");
      }
    }
  }

  private static final class Entry {
    final byte[] value;
    final Instant expiresAt;

    Entry(byte[] value, Instant expiresAt) {
      this.value = value;
      this.expiresAt = expiresAt;
    }

    boolean isExpired(Instant now) {
      return !now.isBefore(expiresAt);
    }
  }
}
