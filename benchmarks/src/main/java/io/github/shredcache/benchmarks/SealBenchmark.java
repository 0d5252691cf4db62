package io.github.shredcache.benchmarks;

import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.core.SessionState;
import io.github.shredcache.core.internal.Kdf;
import io.github.shredcache.core.internal.SealedEntry;
import io.github.shredcache.core.internal.SealedEntryException;
import io.github.shredcache.core.internal.SealingKey;
import io.github.shredcache.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Sealing and opening a 160-byte session state the way {@link SessionCache} does (epoch key
 * lookup, seal counting, header, AAD, AES-256-GCM; parse, window and expiry checks, AES-256-GCM),
 * against plain JCA AES-256-GCM of the same 160 bytes with a fresh random nonce, in the same run.
 *
 * <p>{@link Sealer} takes the cache's steps with the sealed-entry format's own classes ({@code
 * core.internal}: the benchmarks are the one module outside core allowed to use them) and the
 * ratchet's public window; {@link #setUp} checks that a real cache accepts what it seals.
 *
 * <pre>
 * java -jar benchmarks/target/shredcache-benchmarks.jar 'Seal|Front' -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SealBenchmark {
  static final int STATE_SIZE_BYTES = 160;

  private KeyRatchet keys;
  private Sealer sealer;
  private byte[] id;
  private byte[] state;
  private Instant expiresAt;
  private byte[] sealed;

  private Cipher rawCipher;
  private SecretKey rawKey;
  private SecureRandom random;
  private byte[] rawNonce;
  private byte[] rawCiphertext;
  private byte[] rawAad;
  private byte[] rawNonceAad;
  private byte[] rawCiphertextWithAad;

  @Setup
  public void setUp() throws GeneralSecurityException {
    InstantSource clock = InstantSource.system();
    KeyToken token = KeyToken.generate(Duration.ofHours(1), clock);
    String tokenText = token.encode();
    keys = KeyRatchet.fromToken(token, Duration.ofHours(1), clock);
    sealer = new Sealer(keys, tokenText, clock, "bench");
    id = new byte[32];
    random = new SecureRandom();
    random.nextBytes(id);
    state = new byte[STATE_SIZE_BYTES];
    random.nextBytes(state);
    expiresAt = clock.instant().plus(Duration.ofMinutes(30));
    sealed = sealer.seal(id, state, expiresAt);
    checkACacheAccepts(sealed, clock, tokenText);

    byte[] keyBytes = new byte[32];
    random.nextBytes(keyBytes);
    rawKey = new SecretKeySpec(keyBytes, "AES");
    rawCipher = Cipher.getInstance("AES/GCM/NoPadding");
    rawNonce = new byte[12];
    random.nextBytes(rawNonce);
    rawCipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, rawNonce));
    rawCiphertext = rawCipher.doFinal(state);
    // The same amount of associated data as an entry binds (label, namespace "bench", session ID,
    // header): 19 + 1 + 5 + 1 + 32 + 29 bytes.
    rawAad = new byte[87];
    random.nextBytes(rawAad);
    rawNonceAad = new byte[12];
    random.nextBytes(rawNonceAad);
    rawCipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, rawNonceAad));
    rawCipher.updateAAD(rawAad);
    rawCiphertextWithAad = rawCipher.doFinal(state);
  }

  /** A node of the same chain and namespace looks the sealed entry up from its store: a hit. */
  private void checkACacheAccepts(byte[] entry, InstantSource clock, String tokenText)
      throws GeneralSecurityException {
    InMemorySessionStore store = new InMemorySessionStore(clock);
    store.set(TestKeys.storeKey("bench", SessionId.of(id)), entry, Duration.ofMinutes(30)).join();
    try (KeyRatchet sameChain =
            KeyRatchet.fromToken(KeyToken.parse(tokenText, clock), Duration.ofHours(1), clock);
        SessionCache node = SessionCache.builder().keys(sameChain).store(store).namespace("bench")
            .build()) {
      LookupResult result = node.lookup(SessionId.of(id)).join();
      if (result != LookupResult.STORE_HIT) {
        throw new IllegalStateException("the benchmark's entry is not the cache's: " + result);
      }
    }
  }

  @TearDown
  public void tearDown() {
    sealer.destroy();
    keys.close();
  }

  /** Seal as {@code put} does before the store write. */
  @Benchmark
  public byte[] seal(CpuTime cpu) throws GeneralSecurityException {
    cpu.ops++;
    return sealer.seal(id, state, expiresAt);
  }

  /** Open as {@code lookup} does after the store read (the caller destroys the state). */
  @Benchmark
  public int open(CpuTime cpu) throws GeneralSecurityException {
    cpu.ops++;
    SessionState s = sealer.open(id, sealed);
    int n = s.lengthBytes();
    s.destroy();
    return n;
  }

  /** Seal, then open the result. */
  @Benchmark
  public int sealOpen(CpuTime cpu) throws GeneralSecurityException {
    cpu.ops++;
    SessionState s = sealer.open(id, sealer.seal(id, state, expiresAt));
    int n = s.lengthBytes();
    s.destroy();
    return n;
  }

  /** Baseline: plain JCA AES-256-GCM encryption of the 160 bytes with a fresh random nonce. */
  @Benchmark
  public byte[] rawAesGcmEncrypt(CpuTime cpu) throws GeneralSecurityException {
    cpu.ops++;
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    rawCipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce));
    return rawCipher.doFinal(state);
  }

  /** Baseline: plain JCA AES-256-GCM decryption of the 160 bytes. */
  @Benchmark
  public byte[] rawAesGcmDecrypt(CpuTime cpu) throws GeneralSecurityException {
    cpu.ops++;
    rawCipher.init(Cipher.DECRYPT_MODE, rawKey, new GCMParameterSpec(128, rawNonce));
    return rawCipher.doFinal(rawCiphertext);
  }

  /**
   * Not a target baseline, an attribution aid: plain decryption with as much associated data as an
   * entry binds, to show which part of the overhead of {@link #open} is the AAD itself.
   */
  @Benchmark
  public byte[] rawAesGcmDecryptWithAad(CpuTime cpu) throws GeneralSecurityException {
    cpu.ops++;
    rawCipher.init(Cipher.DECRYPT_MODE, rawKey, new GCMParameterSpec(128, rawNonceAad));
    rawCipher.updateAAD(rawAad);
    return rawCipher.doFinal(rawCiphertextWithAad);
  }

  /** Baseline: plain JCA AES-256-GCM encryption then decryption (compare with {@link #sealOpen}). */
  @Benchmark
  public byte[] rawAesGcmEncryptDecrypt(CpuTime cpu) throws GeneralSecurityException {
    cpu.ops++;
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    rawCipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce));
    byte[] ct = rawCipher.doFinal(state);
    rawCipher.init(Cipher.DECRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce));
    return rawCipher.doFinal(ct);
  }

  /** Attribution aid: {@link #rawAesGcmEncryptDecrypt} with as much AAD as an entry binds. */
  @Benchmark
  public byte[] rawAesGcmEncryptDecryptWithAad(CpuTime cpu) throws GeneralSecurityException {
    cpu.ops++;
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    rawCipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce));
    rawCipher.updateAAD(rawAad);
    byte[] ct = rawCipher.doFinal(state);
    rawCipher.init(Cipher.DECRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce));
    rawCipher.updateAAD(rawAad);
    return rawCipher.doFinal(ct);
  }

  /**
   * The cache's seal and open, step by step: the ratchet's window for the clock's epoch (the
   * clock read and window check of its key lookup), one counted seal per entry, the entry
   * format's seal and open with the epoch's pooled {@link SealingKey}, the expiry check and the
   * lifetime cap. It holds the keys of the token's epoch and the next one, so a run may cross one
   * epoch boundary. Not thread-safe (one per benchmark thread).
   */
  private static final class Sealer {
    private final KeyRatchet window;
    private final InstantSource clock;
    private final long firstEpoch;
    private final SealingKey[] keys = new SealingKey[2];
    private final AtomicLong[] seals = {new AtomicLong(), new AtomicLong()};
    private final SealedEntry.Binding binding;

    /** {@code tokenText} is the token {@code window} was made from, as encoded at its epoch. */
    Sealer(KeyRatchet window, String tokenText, InstantSource clock, String namespace) {
      this.window = window;
      this.clock = clock;
      String[] parts = tokenText.split(":", 4); // sc1:<epoch seconds>:<epoch>:<state>
      this.firstEpoch = Long.parseLong(parts[2]);
      byte[] first = Base64.getUrlDecoder().decode(parts[3]);
      byte[] next = Kdf.ratchetStep(first);
      keys[0] = SealingKey.adopt(Kdf.expand(first, Kdf.SEAL_LABEL, SealingKey.SIZE_BYTES));
      keys[1] = SealingKey.adopt(Kdf.expand(next, Kdf.SEAL_LABEL, SealingKey.SIZE_BYTES));
      java.util.Arrays.fill(first, (byte) 0);
      java.util.Arrays.fill(next, (byte) 0);
      this.binding = SealedEntry.bindTo(namespace.getBytes(StandardCharsets.US_ASCII));
    }

    byte[] seal(byte[] sessionId, byte[] state, Instant expiresAt) throws GeneralSecurityException {
      long epoch = window.currentEpoch();
      int slot = slot(epoch);
      if (slot < 0 || seals[slot].incrementAndGet() > SealedEntry.MAX_SEALS_PER_KEY) {
        throw new GeneralSecurityException("no sealing key for epoch " + epoch);
      }
      return SealedEntry.seal(keys[slot], epoch, expiresAt.getEpochSecond(), binding, sessionId,
          state);
    }

    SessionState open(byte[] sessionId, byte[] raw) throws SealedEntryException {
      SealedEntry entry = SealedEntry.parse(raw);
      long clockEpoch = window.currentEpoch();
      int slot = entry.epoch() > clockEpoch + 1 || entry.epoch() < clockEpoch - window.epochsBehind()
          ? -1 : slot(entry.epoch());
      if (slot < 0) {
        throw new SealedEntryException(SealedEntryException.Failure.EPOCH_OUTSIDE_WINDOW,
            "epoch outside the window");
      }
      Instant now = clock.instant();
      if (entry.expiresAtEpochSecond() <= now.getEpochSecond()) {
        throw new SealedEntryException(SealedEntryException.Failure.EXPIRED, "expired");
      }
      byte[] plaintext = entry.open(keys[slot], binding, sessionId);
      long expires = Math.min(entry.expiresAtEpochSecond(),
          now.plus(window.maxSessionLifetime()).getEpochSecond());
      return SessionState.adopt(plaintext, Instant.ofEpochSecond(expires),
          SessionState.Source.STORE);
    }

    private int slot(long epoch) {
      long slot = epoch - firstEpoch;
      return slot == 0 || slot == 1 ? (int) slot : -1;
    }

    void destroy() {
      for (SealingKey k : keys) {
        k.destroy();
      }
    }
  }
}
