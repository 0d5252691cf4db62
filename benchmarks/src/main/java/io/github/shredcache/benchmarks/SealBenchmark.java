package io.github.shredcache.benchmarks;

import io.github.shredcache.core.CoreInternals;
import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.core.SessionState;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
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
 * <pre>
 * java -jar benchmarks/target/shredcache-benchmarks.jar 'Seal|Front' -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SealBenchmark {
  static final int STATE_SIZE_BYTES = 160;

  private SessionCache cache;
  private KeyRatchet keys;
  private SessionId id;
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
    keys = KeyRatchet.fromToken(KeyToken.generate(Duration.ofHours(1), clock), Duration.ofHours(1), clock);
    cache = SessionCache.builder().keys(keys).store(new InMemorySessionStore(clock)).namespace("bench").build();
    byte[] idBytes = new byte[32];
    random = new SecureRandom();
    random.nextBytes(idBytes);
    id = SessionId.of(idBytes);
    state = new byte[STATE_SIZE_BYTES];
    random.nextBytes(state);
    expiresAt = clock.instant().plus(Duration.ofMinutes(30));
    sealed = CoreInternals.seal(cache, id, state, expiresAt);

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

  @TearDown
  public void tearDown() {
    cache.close();
    keys.close();
  }

  /** Seal as {@code put} does before the store write. */
  @Benchmark
  public byte[] seal(CpuTime cpu) throws GeneralSecurityException {
    cpu.ops++;
    return CoreInternals.seal(cache, id, state, expiresAt);
  }

  /** Open as {@code lookup} does after the store read (the caller destroys the state). */
  @Benchmark
  public int open(CpuTime cpu) throws GeneralSecurityException {
    cpu.ops++;
    SessionState s = CoreInternals.open(cache, id, sealed);
    int n = s.lengthBytes();
    s.destroy();
    return n;
  }

  /** Seal, then open the result. */
  @Benchmark
  public int sealOpen(CpuTime cpu) throws GeneralSecurityException {
    cpu.ops++;
    SessionState s = CoreInternals.open(cache, id, CoreInternals.seal(cache, id, state, expiresAt));
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
}
