package io.github.shredcache.core.internal;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An AES-256-GCM key whose bytes this class owns, with a small pool of {@link Cipher} objects
 * that have used it.
 *
 * <p>Why a pool per key rather than a cipher per thread: a JCA {@code Cipher} keeps the key it was
 * last initialized with (on JDK 17 {@code GaloisCounterMode} and {@code AESCrypt} hold raw copies
 * and the expanded key schedule). A per-thread cipher would keep an erased epoch's key reachable
 * from every thread that ever sealed in that epoch. Here every cipher that saw the key is either in
 * this key's pool or borrowed from it, so {@link #destroy()} can reach all of them: it zeroizes the
 * owned bytes and re-initializes each cipher with an all-zero key, which drops the provider's
 * references to the old key material. The provider's transient copies become unreachable garbage;
 * Java offers no way to overwrite them in place (see SECURITY.md).
 *
 * <p>Thread-safe. Borrowing and returning are lock-free; a pool miss creates a new cipher.
 */
public final class SealingKey {
  /** The size of an AES-256 key. */
  public static final int SIZE_BYTES = 32;

  private static final SecretKey ZERO_KEY = new SecretKeySpec(new byte[SIZE_BYTES], "AES");
  private static final int POOL_SIZE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  private final byte[] bytes;
  private final OwnedKey key = new OwnedKey();
  private final AtomicReferenceArray<Cipher> pool = new AtomicReferenceArray<>(POOL_SIZE);
  private volatile boolean destroyed;

  private SealingKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Takes ownership of {@code bytes} (32 bytes): the caller must not use or keep them; {@link
   * #destroy()} zeroizes them.
   */
  public static SealingKey adopt(byte[] bytes) {
    if (bytes.length != SIZE_BYTES) {
      throw new IllegalArgumentException("an AES-256 key has 32 bytes, was " + bytes.length);
    }
    return new SealingKey(bytes);
  }

  /**
   * Returns a view of this key for the JCA: {@link SecretKey#getEncoded()} returns a fresh copy
   * while the key is live and throws {@link IllegalStateException} once it was destroyed.
   */
  public SecretKey secretKey() {
    return key;
  }

  /** Zeroizes the key bytes and scrubs every pooled cipher. Idempotent; later use fails. */
  public void destroy() {
    synchronized (bytes) {
      destroyed = true;
      Arrays.fill(bytes, (byte) 0);
    }
    drain();
  }

  /** Returns true once {@link #destroy()} ran. */
  public boolean isDestroyed() {
    return destroyed;
  }

  /**
   * Returns a cipher initialized with this key for {@code mode} and {@code spec}; hand it back with
   * {@link #release} when done (also after a failure).
   *
   * @throws IllegalStateException if the key was destroyed
   */
  Cipher borrow(int mode, GCMParameterSpec spec) throws GeneralSecurityException {
    if (destroyed) {
      throw new IllegalStateException("epoch key was erased");
    }
    Cipher c = null;
    int start = (int) (Thread.currentThread().getId() % POOL_SIZE);
    for (int i = 0; i < POOL_SIZE && c == null; i++) {
      int slot = (start + i) % POOL_SIZE;
      if (pool.get(slot) != null) {
        c = pool.getAndSet(slot, null);
      }
    }
    if (c == null) {
      c = Cipher.getInstance("AES/GCM/NoPadding");
    }
    try {
      c.init(mode, key, spec);
    } catch (GeneralSecurityException | RuntimeException e) {
      release(c);
      throw e;
    }
    return c;
  }

  /** Returns a cipher from {@link #borrow} to the pool, or scrubs it. */
  void release(Cipher c) {
    if (!destroyed) {
      int start = (int) (Thread.currentThread().getId() % POOL_SIZE);
      for (int i = 0; i < POOL_SIZE; i++) {
        if (pool.compareAndSet((start + i) % POOL_SIZE, null, c)) {
          if (destroyed) {
            drain(); // destroy() may have swept the pool before this cipher came back
          }
          return;
        }
      }
    }
    scrub(c);
  }

  private void drain() {
    for (int i = 0; i < POOL_SIZE; i++) {
      Cipher c = pool.getAndSet(i, null);
      if (c != null) {
        scrub(c);
      }
    }
  }

  /** Re-keys {@code c} with the all-zero key so that it holds nothing of this key. */
  static void scrub(Cipher c) {
    try {
      c.init(Cipher.DECRYPT_MODE, ZERO_KEY, new GCMParameterSpec(128, new byte[12]));
    } catch (GeneralSecurityException | RuntimeException e) {
      // the cipher is dropped either way; nothing to report
    }
  }

  /** Number of ciphers in the pool (for tests). */
  int pooledForTesting() {
    int n = 0;
    for (int i = 0; i < POOL_SIZE; i++) {
      if (pool.get(i) != null) {
        n++;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "SealingKey[" + (destroyed ? "destroyed" : "live") + ", redacted]";
  }

  /** The JCA view of the owned bytes. */
  private final class OwnedKey implements SecretKey {
    private static final long serialVersionUID = 1L;

    @Override
    public String getAlgorithm() {
      return "AES";
    }

    @Override
    public String getFormat() {
      return "RAW";
    }

    @Override
    public byte[] getEncoded() {
      synchronized (bytes) {
        if (destroyed) {
          throw new IllegalStateException("epoch key was erased");
        }
        return bytes.clone();
      }
    }

    @Override
    public void destroy() {
      SealingKey.this.destroy();
    }

    @Override
    public boolean isDestroyed() {
      return destroyed;
    }

    @Override
    public String toString() {
      return "SealingKey.OwnedKey[redacted]";
    }
  }
}
