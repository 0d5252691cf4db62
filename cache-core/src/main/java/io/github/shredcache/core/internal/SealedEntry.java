package io.github.shredcache.core.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The sealed-entry format: the bytes a session store holds.
 *
 * <h3>The entry structure</h3>
 *
 * <pre>
 * version (1 byte, = 1)
 * epoch (8 bytes, big-endian): the ratchet epoch whose sealing key sealed it
 * expiresAt (8 bytes, big-endian, unix seconds)
 * nonce (12 bytes, random)
 * AES-256-GCM ciphertext of the session state, followed by the 16-byte tag
 * </pre>
 *
 * <p>The associated data is {@code "shredcache/v1 entry" | len(namespace) (1 byte) | namespace |
 * len(sessionId) (1 byte) | sessionId | header}, where header is the 29 bytes before the
 * ciphertext. So an entry moved to another session ID or namespace, or with any header byte
 * changed, fails to open.
 *
 * <h3>Security guarantees</h3>
 *
 * <p>Confidentiality and integrity of the state under AES-256-GCM, as long as a key seals far fewer
 * than 2^32 entries (random 96-bit nonces): {@code KeyRatchet} counts seals per epoch key and
 * refuses beyond {@link #MAX_SEALS_PER_KEY}. Expiry and epoch in the header are authenticated
 * (checked before use, and any change makes the tag fail).
 *
 * <p>Erasure: the node's keys are {@link SealingKey}s, which own their bytes and the ciphers that
 * used them, so erasing an epoch reaches every cipher that saw its key. The {@link SecretKey}
 * overloads (tests, tools) use a fresh cipher per call and keep nothing.
 *
 * <p>Thread-safe (stateless). Parsing checks every length before it
 * allocates; every failure is a {@link SealedEntryException} naming a {@link SealedEntryException.Failure}.
 */
public final class SealedEntry {
  /** The format version this class writes and reads. */
  public static final byte VERSION = 1;
  /** The size of the nonce. */
  public static final int NONCE_SIZE_BYTES = 12;
  /** The size of the GCM tag. */
  public static final int TAG_SIZE_BYTES = 16;
  /** The size of version, epoch, expiresAt and nonce. */
  public static final int HEADER_SIZE_BYTES = 1 + 8 + 8 + NONCE_SIZE_BYTES;
  /** The smallest well-formed entry (empty state). */
  public static final int MIN_SIZE_BYTES = HEADER_SIZE_BYTES + TAG_SIZE_BYTES;
  /** The most seals one key may make (a guard far below the random-nonce bound). */
  public static final long MAX_SEALS_PER_KEY = 1L << 32;
  /** The largest entry written or accepted (the store's value limit). */
  public static final int MAX_SIZE_BYTES = 16 * 1024;
  /** The largest state that still fits into {@link #MAX_SIZE_BYTES}. */
  public static final int MAX_STATE_SIZE_BYTES = MAX_SIZE_BYTES - MIN_SIZE_BYTES;

  private static final byte[] AAD_LABEL = "shredcache/v1 entry".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_BOUND_FIELD_BYTES = 255;

  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

  private final byte[] raw;
  private final long epoch;
  private final long expiresAtEpochSecond;

  private SealedEntry(byte[] raw, long epoch, long expiresAtEpochSecond) {
    this.raw = raw;
    this.epoch = epoch;
    this.expiresAtEpochSecond = expiresAtEpochSecond;
  }

  /**
   * Reads the header of {@code raw} (not copied: do not modify it while this object is in use).
   * Does not authenticate anything: call {@link #open}.
   */
  public static SealedEntry parse(byte[] raw) throws SealedEntryException {
    if (raw == null) {
      throw new SealedEntryException(SealedEntryException.Failure.MALFORMED, "no entry");
    }
    if (raw.length > MAX_SIZE_BYTES) {
      throw new SealedEntryException(SealedEntryException.Failure.OVERSIZED, "entry too large");
    }
    if (raw.length < MIN_SIZE_BYTES) {
      throw new SealedEntryException(SealedEntryException.Failure.MALFORMED, "entry too short");
    }
    if (raw[0] != VERSION) {
      throw new SealedEntryException(SealedEntryException.Failure.MALFORMED, "unknown entry version");
    }
    ByteBuffer header = ByteBuffer.wrap(raw, 1, 16);
    return new SealedEntry(raw, header.getLong(), header.getLong());
  }

  /** Returns the epoch whose key sealed the entry (unauthenticated until {@link #open}). */
  public long epoch() {
    return epoch;
  }

  /** Returns the expiry in unix seconds (unauthenticated until {@link #open}). */
  public long expiresAtEpochSecond() {
    return expiresAtEpochSecond;
  }

  /**
   * Authenticates and decrypts the entry. The caller owns the returned plaintext.
   *
   * @throws SealedEntryException with {@link OpenFailure#AUTHENTICATION} if the tag does not verify
   *     (tampered, other session ID, other namespace, other key)
   */
  public byte[] open(SecretKey key, byte[] namespace, byte[] sessionId) throws SealedEntryException {
    return open(key, bindTo(namespace), sessionId);
  }

  /**
   * As {@link #open(SecretKey, byte[], byte[])} with a precomputed namespace binding. {@code
   * sessionId} is only read.
   */
  public byte[] open(SecretKey key, Binding binding, byte[] sessionId) throws SealedEntryException {
    checkBoundField(sessionId);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, nonceSpec());
      return decrypt(cipher, binding, sessionId);
    } catch (GeneralSecurityException e) {
      throw new SealedEntryException(SealedEntryException.Failure.AUTHENTICATION, "decryption failed", e);
    }
  }

  /**
   * As {@link #open(SecretKey, Binding, byte[])} with a cipher from {@code key}'s pool.
   *
   * @throws IllegalStateException if {@code key} was destroyed
   */
  public byte[] open(SealingKey key, Binding binding, byte[] sessionId) throws SealedEntryException {
    checkBoundField(sessionId);
    Cipher cipher;
    try {
      cipher = key.borrow(Cipher.DECRYPT_MODE, nonceSpec());
    } catch (GeneralSecurityException e) {
      throw new SealedEntryException(SealedEntryException.Failure.AUTHENTICATION, "decryption failed", e);
    }
    try {
      return decrypt(cipher, binding, sessionId);
    } finally {
      key.release(cipher);
    }
  }

  private GCMParameterSpec nonceSpec() {
    return new GCMParameterSpec(TAG_SIZE_BYTES * 8, raw, 1 + 8 + 8, NONCE_SIZE_BYTES);
  }

  private byte[] decrypt(Cipher cipher, Binding binding, byte[] sessionId) throws SealedEntryException {
    try {
      cipher.updateAAD(binding.aad(sessionId, raw));
      return cipher.doFinal(raw, HEADER_SIZE_BYTES, raw.length - HEADER_SIZE_BYTES);
    } catch (AEADBadTagException e) {
      throw new SealedEntryException(SealedEntryException.Failure.AUTHENTICATION, "decryption failed");
    } catch (GeneralSecurityException e) {
      throw new SealedEntryException(SealedEntryException.Failure.AUTHENTICATION, "decryption failed", e);
    }
  }

  /**
   * Seals {@code state} (not modified, not kept) into a new entry.
   *
   * @throws GeneralSecurityException if the JCA provider fails
   */
  public static byte[] seal(
      SecretKey key, long epoch, long expiresAtEpochSecond, byte[] namespace, byte[] sessionId,
      byte[] state) throws GeneralSecurityException {
    return seal(key, epoch, expiresAtEpochSecond, bindTo(namespace), sessionId, state);
  }

  /**
   * As {@link #seal(SecretKey, long, long, byte[], byte[], byte[])} with a precomputed namespace
   * binding. {@code sessionId} and {@code state} are only read.
   */
  public static byte[] seal(
      SecretKey key, long epoch, long expiresAtEpochSecond, Binding binding, byte[] sessionId,
      byte[] state) throws GeneralSecurityException {
    byte[] out = newEntry(epoch, expiresAtEpochSecond, sessionId, state);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, key, entryNonce(out));
    encrypt(cipher, binding, sessionId, state, out);
    return out;
  }

  /**
   * As {@link #seal(SecretKey, long, long, Binding, byte[], byte[])} with a cipher from {@code
   * key}'s pool.
   *
   * @throws IllegalStateException if {@code key} was destroyed
   */
  public static byte[] seal(
      SealingKey key, long epoch, long expiresAtEpochSecond, Binding binding, byte[] sessionId,
      byte[] state) throws GeneralSecurityException {
    byte[] out = newEntry(epoch, expiresAtEpochSecond, sessionId, state);
    Cipher cipher = key.borrow(Cipher.ENCRYPT_MODE, entryNonce(out));
    try {
      encrypt(cipher, binding, sessionId, state, out);
    } finally {
      key.release(cipher);
    }
    return out;
  }

  /** A new entry with its header (and a fresh random nonce) written, ciphertext still empty. */
  private static byte[] newEntry(long epoch, long expiresAtEpochSecond, byte[] sessionId, byte[] state)
      throws GeneralSecurityException {
    checkBoundField(sessionId);
    if (state.length > MAX_STATE_SIZE_BYTES) {
      throw new GeneralSecurityException("state too large");
    }
    byte[] out = new byte[MIN_SIZE_BYTES + state.length];
    ByteBuffer header = ByteBuffer.wrap(out, 0, HEADER_SIZE_BYTES);
    header.put(VERSION).putLong(epoch).putLong(expiresAtEpochSecond);
    byte[] nonce = new byte[NONCE_SIZE_BYTES];
    RANDOM.get().nextBytes(nonce);
    header.put(nonce);
    return out;
  }

  private static GCMParameterSpec entryNonce(byte[] entry) {
    return new GCMParameterSpec(TAG_SIZE_BYTES * 8, entry, 1 + 8 + 8, NONCE_SIZE_BYTES);
  }

  private static void encrypt(Cipher cipher, Binding binding, byte[] sessionId, byte[] state,
      byte[] out) throws GeneralSecurityException {
    cipher.updateAAD(binding.aad(sessionId, out));
    int written = cipher.doFinal(state, 0, state.length, out, HEADER_SIZE_BYTES);
    if (written != state.length + TAG_SIZE_BYTES) {
      throw new GeneralSecurityException("unexpected ciphertext size");
    }
  }

  /** Returns the binding of entries to {@code namespace} (at most 255 bytes), to reuse. */
  public static Binding bindTo(byte[] namespace) {
    checkBoundField(namespace);
    return new Binding(namespace);
  }

  /** The fixed part of the associated data: label and namespace. Immutable, thread-safe. */
  public static final class Binding {
    private final byte[] prefix;

    private Binding(byte[] namespace) {
      prefix = new byte[AAD_LABEL.length + 1 + namespace.length];
      ByteBuffer.wrap(prefix).put(AAD_LABEL).put((byte) namespace.length).put(namespace);
    }

    byte[] aad(byte[] sessionId, byte[] entry) {
      byte[] aad = new byte[prefix.length + 1 + sessionId.length + HEADER_SIZE_BYTES];
      System.arraycopy(prefix, 0, aad, 0, prefix.length);
      aad[prefix.length] = (byte) sessionId.length;
      System.arraycopy(sessionId, 0, aad, prefix.length + 1, sessionId.length);
      System.arraycopy(entry, 0, aad, prefix.length + 1 + sessionId.length, HEADER_SIZE_BYTES);
      return aad;
    }
  }

  private static void checkBoundField(byte[] field) {
    if (field.length > MAX_BOUND_FIELD_BYTES) {
      throw new IllegalArgumentException("namespace and session ID have at most 255 bytes");
    }
  }
}
