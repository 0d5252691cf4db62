package io.github.shredcache.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Fuzzes the sealed-entry parser and opener: only {@link GeneralSecurityException} (in fact a
 * {@link SealedEntryException} naming its cause) may escape, and nothing but the untouched entry
 * ever opens.
 *
 * <p>In {@code mvn verify} these run in regression mode: the empty input plus the files under
 * {@code src/test/resources/io/github/shredcache/core/internal/SealedEntryFuzzTestInputs/<method>/}.
 * A real fuzzing run: {@code JAZZER_FUZZ=1 mvn -o test -pl cache-core
 * -Dtest=SealedEntryFuzzTest#arbitraryBytesNeverOpen -Djazzer.max_duration=5m} (see RELIABILITY.md).
 */
class SealedEntryFuzzTest {
  private static final SecretKey KEY = new SecretKeySpec(fill(32, 0x11), "AES");
  private static final SecretKey OTHER_KEY = new SecretKeySpec(fill(32, 0x22), "AES");
  private static final int MAX_NAMESPACE_BYTES = 64; // SessionCacheBuilder's limit
  private static final int MAX_SESSION_ID_BYTES = 32; // SessionId.MAX_LENGTH_BYTES

  /** Arbitrary bytes as a stored value: parse, then open under a fixed key. */
  @FuzzTest
  void arbitraryBytesNeverOpen(FuzzedDataProvider data) {
    byte[] namespace = data.consumeBytes(data.consumeInt(0, MAX_NAMESPACE_BYTES));
    byte[] sessionId = data.consumeBytes(data.consumeInt(0, MAX_SESSION_ID_BYTES));
    byte[] raw = data.consumeRemainingAsBytes();
    byte[] copy = raw.clone();
    try {
      SealedEntry entry = SealedEntry.parse(raw);
      byte[] plaintext = entry.open(KEY, namespace, sessionId);
      fail("a forged entry of %s bytes opened to %s bytes", raw.length, plaintext.length);
    } catch (SealedEntryException e) {
      assertThat(e.failure()).isNotNull();
      assertThat(e.getMessage()).doesNotContain(hexOf(raw));
    } catch (GeneralSecurityException e) {
      fail("open failures must be SealedEntryException (counted), was %s", e.getClass());
    }
    assertThat(raw).as("parse/open must not modify the value").isEqualTo(copy);
  }

  /**
   * A genuine entry, then one fuzzer-chosen change (bit flips, truncation, extension, another
   * session ID, namespace or key): only the unchanged entry opens, to exactly its state.
   */
  @FuzzTest
  void mutatedEntryNeverOpens(FuzzedDataProvider data) throws GeneralSecurityException {
    byte[] namespace = nonEmpty(data.consumeBytes(data.consumeInt(1, MAX_NAMESPACE_BYTES)), 'n');
    byte[] sessionId = nonEmpty(data.consumeBytes(data.consumeInt(1, MAX_SESSION_ID_BYTES)), 's');
    long epoch = data.consumeLong();
    long expiresAt = data.consumeLong();
    byte[] state = data.consumeBytes(data.consumeInt(0, 512));
    byte[] sealed = SealedEntry.seal(KEY, epoch, expiresAt, namespace, sessionId, state);

    byte[] raw = sealed.clone();
    byte[] ns = namespace;
    byte[] id = sessionId;
    SecretKey key = KEY;
    switch (data.consumeInt(0, 5)) {
      case 0: { // flip bits at chosen positions
        int flips = data.consumeInt(0, 8);
        for (int i = 0; i < flips; i++) {
          raw[data.consumeInt(0, raw.length - 1)] ^= (byte) data.consumeInt(1, 255);
        }
        break;
      }
      case 1:
        raw = Arrays.copyOf(raw, data.consumeInt(0, raw.length));
        break;
      case 2: {
        byte[] tail = data.consumeBytes(data.consumeInt(0, 64));
        byte[] longer = Arrays.copyOf(raw, raw.length + tail.length);
        System.arraycopy(tail, 0, longer, raw.length, tail.length);
        raw = longer;
        break;
      }
      case 3:
        id = data.consumeBytes(data.consumeInt(0, MAX_SESSION_ID_BYTES));
        break;
      case 4:
        ns = data.consumeBytes(data.consumeInt(0, MAX_NAMESPACE_BYTES));
        break;
      default:
        key = OTHER_KEY;
        break;
    }
    boolean unchanged =
        Arrays.equals(raw, sealed) && Arrays.equals(ns, namespace) && Arrays.equals(id, sessionId)
            && key == KEY;
    byte[] opened;
    try {
      opened = SealedEntry.parse(raw).open(key, ns, id);
    } catch (SealedEntryException e) {
      assertThat(unchanged).as("the untouched entry must open, failed with %s", e.failure()).isFalse();
      return;
    }
    assertThat(unchanged).as("a changed entry opened").isTrue();
    assertThat(opened).isEqualTo(state);
  }

  private static byte[] nonEmpty(byte[] b, char fallback) {
    return b.length > 0 ? b : new byte[] {(byte) fallback};
  }

  private static byte[] fill(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  private static String hexOf(byte[] raw) {
    if (raw.length < 8) {
      return "\u0000never"; // too short to be a meaningful leak check
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      sb.append(String.format("%02x", raw[i]));
    }
    return sb.toString();
  }
}
