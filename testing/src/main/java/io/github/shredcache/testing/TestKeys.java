package io.github.shredcache.testing;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionCacheBuilder;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.core.SessionStore;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;

/**
 * Fixed key tokens and quick builders for tests of every module. Never use these tokens outside
 * tests: their secrets are public.
 *
 * <p>Chain A and chain B are two unrelated chains with epochs of one hour. {@link #TOKEN_A} is at
 * {@link #EPOCH_0}, the epoch of {@link #START}; {@link #tokenA(InstantSource, long)} is the same chain at a later epoch
 * later (a later token of the same chain, as {@code keys advance} makes it).
 *
 * <pre>{@code
 * FakeClock clock = new FakeClock();                   // at TestKeys.START
 * InMemorySessionStore store = new InMemorySessionStore(clock);
 * SessionCache cache = TestKeys.cacheA(clock, store);  // direct executor, 1 h lifetime
 * }</pre>
 */
public final class TestKeys {
  /** 2026-01-01T00:00:00Z, the start of {@link #EPOCH_0}. */
  public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  /** The epoch length of both chains. */
  public static final Duration EPOCH_LENGTH = Duration.ofHours(1);
  /** The epoch of {@link #START} with one-hour epochs. */
  public static final long EPOCH_0 = 490896;
  /** The maximum session lifetime the helpers use (one epoch, so R = 1). */
  public static final Duration LIFETIME = Duration.ofHours(1);

  /** Chain A at {@link #EPOCH_0}: state bytes 0x00..0x1f. */
  public static final String TOKEN_A = "sc1:3600:490896:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
  /** Chain B (unrelated to A) at {@link #EPOCH_0}: state bytes 0x80..0x9f. */
  public static final String TOKEN_B = "sc1:3600:490896:gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp8";

  private TestKeys() {}

  /** Returns chain A's token at {@link #EPOCH_0}, parsed against {@code clock}. */
  public static KeyToken tokenA(InstantSource clock) {
    return KeyToken.parse(TOKEN_A, clock);
  }

  /** Returns chain B's token at {@link #EPOCH_0}, parsed against {@code clock}. */
  public static KeyToken tokenB(InstantSource clock) {
    return KeyToken.parse(TOKEN_B, clock);
  }

  /** Returns chain A's token ratcheted to {@code epoch} (>= {@link #EPOCH_0}). */
  public static KeyToken tokenA(InstantSource clock, long epoch) {
    KeyToken t = tokenA(clock);
    try {
      return t.advanceTo(epoch);
    } finally {
      t.destroy();
    }
  }

  /** A ratchet of chain A with lifetime {@link #LIFETIME}, following {@code clock}. */
  public static KeyRatchet ratchetA(InstantSource clock) {
    return KeyRatchet.fromToken(tokenA(clock), LIFETIME, clock);
  }

  /** A ratchet of chain B with lifetime {@link #LIFETIME}, following {@code clock}. */
  public static KeyRatchet ratchetB(InstantSource clock) {
    return KeyRatchet.fromToken(tokenB(clock), LIFETIME, clock);
  }

  /**
   * A builder with chain A's keys, {@code store}, {@code clock}, a direct executor (deterministic)
   * and lifetime {@link #LIFETIME}; add more settings before {@code build()}.
   */
  public static SessionCacheBuilder builderA(InstantSource clock, SessionStore store) {
    return builder(ratchetA(clock), clock, store);
  }

  /** As {@link #builderA} with the given ratchet. */
  public static SessionCacheBuilder builder(KeyRatchet keys, InstantSource clock, SessionStore store) {
    return SessionCache.builder()
        .keys(keys)
        .store(store)
        .clock(clock)
        .executor(Runnable::run)
        .maxSessionLifetime(LIFETIME);
  }

  /** A cache of chain A on {@code store}, namespace "test", direct executor. */
  public static SessionCache cacheA(InstantSource clock, SessionStore store) {
    return builderA(clock, store).namespace("test").build();
  }

  /** A cache of chain B on {@code store}, namespace "test", direct executor. */
  public static SessionCache cacheB(InstantSource clock, SessionStore store) {
    return builder(ratchetB(clock), clock, store).namespace("test").build();
  }

  /**
   * A new random key chain at the system clock's current epoch, as token text: for tests of
   * several nodes on real time (the test keeps this copy of the secret).
   */
  public static String newToken(Duration epochLength) {
    KeyToken t = KeyToken.generate(epochLength, InstantSource.system());
    try {
      return t.encode();
    } finally {
      t.destroy();
    }
  }

  /**
   * A node's cache on real time: keys from {@code token} (text, as {@link #newToken} makes it) with
   * a 10-minute session lifetime, on {@code store}, namespace "it", the library's default executor
   * and {@code lookupTimeout}. The caller closes it.
   */
  public static SessionCache realTimeCache(String token, SessionStore store,
      Duration lookupTimeout) {
    InstantSource clock = InstantSource.system();
    return SessionCache.builder()
        .keys(KeyRatchet.fromToken(KeyToken.parse(token, clock), Duration.ofMinutes(10), clock))
        .store(store)
        .namespace("it")
        .lookupTimeout(lookupTimeout)
        .build();
  }

  /**
   * The store key of {@code id} as docs/ARCHITECTURE.md fixes it, {@code
   * <namespace>:base64url(SHA-256(sessionId))}, computed here independently of the cache: where a
   * test finds, plants or forges an entry.
   */
  public static String storeKey(String namespace, SessionId id) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.toByteArray());
      return namespace + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** A 32-byte session ID derived from {@code n}. */
  public static SessionId sessionId(int n) {
    byte[] b = new byte[32];
    ByteBuffer.wrap(b).putInt(0x5e55_1d00).putInt(n);
    b[31] = (byte) n;
    return SessionId.of(b);
  }

  /** A session state of {@code sizeBytes} bytes whose content depends on {@code n}, never all zero. */
  public static byte[] state(int n, int sizeBytes) {
    byte[] b = new byte[sizeBytes];
    for (int i = 0; i < sizeBytes; i++) {
      b[i] = (byte) (n * 31 + i * 7 + 1);
      if (b[i] == 0) {
        b[i] = 1;
      }
    }
    return b;
  }
}
