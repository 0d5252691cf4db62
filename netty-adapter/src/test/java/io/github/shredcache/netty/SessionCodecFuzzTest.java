package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.Arrays;

/**
 * Fuzzes {@link SessionCodec#decode}: the bytes a sealed entry opens to. Only {@link IOException}
 * may escape; whatever decodes re-encodes to a value that decodes to the same session.
 *
 * <p>Regression inputs: {@code src/test/resources/io/github/shredcache/netty/SessionCodecFuzzTestInputs/}.
 * Fuzzing: {@code JAZZER_FUZZ=1 mvn -o test -pl netty-adapter -Dtest=SessionCodecFuzzTest}
 * (RELIABILITY.md).
 */
class SessionCodecFuzzTest {

  @FuzzTest
  void decodeOnlyThrowsIoException(byte[] input) throws IOException {
    byte[] copy = input.clone();
    SessionCodec.Decoded d;
    try {
      d = SessionCodec.decode(input);
    } catch (IOException expected) {
      assertThat(input).as("decode must not modify its input").isEqualTo(copy);
      return;
    }
    try {
      assertThat(d.masterSecret).hasSize(SessionCodec.MASTER_SECRET_BYTES);
      assertThat(d.toString()).doesNotContain(hex(d.masterSecret));
      byte[] again = SessionCodec.encode(d.major, d.minor, d.cipherSuite, d.extendedMasterSecret,
          d.binding, d.masterSecret, d.peerCertificates, d.serverExtensions);
      // Same length: the format is canonical up to the order of the extensions.
      assertThat(again).hasSameSizeAs(input);
      SessionCodec.Decoded d2 = SessionCodec.decode(again);
      try {
        assertThat(d2.major).isEqualTo(d.major);
        assertThat(d2.minor).isEqualTo(d.minor);
        assertThat(d2.cipherSuite).isEqualTo(d.cipherSuite);
        assertThat(d2.extendedMasterSecret).isEqualTo(d.extendedMasterSecret);
        assertThat(d2.binding).isEqualTo(d.binding);
        assertThat(Arrays.equals(d2.masterSecret, d.masterSecret)).isTrue();
        assertThat(d2.peerCertificates).containsExactlyElementsOf(d.peerCertificates);
        assertThat(d2.serverExtensions.keySet()).isEqualTo(d.serverExtensions.keySet());
        d.serverExtensions.forEach((k, v) -> assertThat(d2.serverExtensions.get(k)).isEqualTo(v));
      } finally {
        d2.destroy();
        Arrays.fill(again, (byte) 0);
      }
    } finally {
      d.destroy();
    }
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      sb.append(String.format("%02x", b[i]));
    }
    return sb.toString();
  }
}
