package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.TicketKeyMaterial;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ticket keys are derived per resumption context, exactly as documented. */
class TicketKeysTest {
  static TestCertificate serverOne;
  static TestCertificate serverTwo;
  static TestCertificate ca;
  static TestCertificate otherCa;
  static KeyRatchet ratchet;

  @BeforeAll
  static void setUp() throws Exception {
    ca = TestPki.ca("CA");
    otherCa = TestPki.ca("other CA");
    serverOne = TestPki.issue(ca, "one.test", Duration.ofDays(1));
    serverTwo = TestPki.issue(ca, "two.test", Duration.ofDays(1));
    FakeClock clock = new FakeClock(TestKeys.START);
    ratchet = KeyRatchet.fromToken(TestKeys.tokenA(clock), Duration.ofHours(1), clock);
  }

  @AfterAll
  static void tearDown() {
    ratchet.close();
  }

  private static OpenSslSessionTicketKey derive(ResumptionContext context) {
    TicketKeyMaterial m = ratchet.ticketKeys().get(0);
    try {
      return TicketKeys.toNetty(m, context);
    } finally {
      m.destroy();
    }
  }

  @Test
  void keysAreHkdfOfTheEpochKeysWithTheContextAsLabel() {
    ResumptionContext context = ResumptionContext.of(serverOne.chain(), ClientAuth.NONE);
    TicketKeyMaterial m = ratchet.ticketKeys().get(0);
    byte[] ikm = new byte[48];
    System.arraycopy(m.name(), 0, ikm, 0, 16);
    System.arraycopy(m.hmacKey(), 0, ikm, 16, 16);
    System.arraycopy(m.aesKey(), 0, ikm, 32, 16);
    m.destroy();
    byte[] label = "shredcache/v1 ticket keys for a resumption context"
        .getBytes(StandardCharsets.US_ASCII);
    byte[] info = Arrays.copyOf(label, label.length + 32);
    System.arraycopy(context.digest(), 0, info, label.length, 32);
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(ikm, null, info));
    byte[] expected = new byte[48];
    hkdf.generateBytes(expected, 0, 48);

    OpenSslSessionTicketKey key = derive(context);
    assertThat(key.name()).isEqualTo(Arrays.copyOfRange(expected, 0, 16));
    assertThat(key.hmacKey()).isEqualTo(Arrays.copyOfRange(expected, 16, 32));
    assertThat(key.aesKey()).isEqualTo(Arrays.copyOfRange(expected, 32, 48));
  }

  @Test
  void everyPartOfTheContextChangesEveryKey() {
    X509Certificate[] one = serverOne.chain();
    ResumptionContext[] contexts = {
      ResumptionContext.of(one, ClientAuth.NONE),
      ResumptionContext.of(serverTwo.chain(), ClientAuth.NONE),
      ResumptionContext.of(one, ClientAuth.OPTIONAL, ca.certificate()),
      ResumptionContext.of(one, ClientAuth.REQUIRE, ca.certificate()),
      ResumptionContext.of(one, ClientAuth.REQUIRE, otherCa.certificate()),
      ResumptionContext.of(one, ClientAuth.REQUIRE, ca.certificate(), otherCa.certificate()),
    };
    for (int i = 0; i < contexts.length; i++) {
      OpenSslSessionTicketKey a = derive(contexts[i]);
      for (int j = i + 1; j < contexts.length; j++) {
        assertThat(contexts[i]).isNotEqualTo(contexts[j]);
        OpenSslSessionTicketKey b = derive(contexts[j]);
        assertThat(a.name()).isNotEqualTo(b.name());
        assertThat(a.hmacKey()).isNotEqualTo(b.hmacKey());
        assertThat(a.aesKey()).isNotEqualTo(b.aesKey());
      }
    }
  }

  @Test
  void equalConfigurationsHaveEqualContexts() {
    assertThat(ResumptionContext.of(serverOne.chain(), ClientAuth.REQUIRE, ca.certificate(),
        serverTwo.certificate(), ca.certificate()))
        .as("the CA certificates are a set")
        .isEqualTo(ResumptionContext.of(serverOne.chain(), ClientAuth.REQUIRE, serverTwo.certificate(),
            ca.certificate()));
    assertThat(ResumptionContext.of(serverOne.chain(), ClientAuth.NONE, ca.certificate()))
        .as("CA certificates do not matter without client authentication")
        .isEqualTo(ResumptionContext.of(serverOne.chain(), ClientAuth.NONE));
    assertThat(derive(ResumptionContext.of(serverOne.chain(), ClientAuth.NONE)).aesKey())
        .isEqualTo(derive(ResumptionContext.of(serverOne.chain(), ClientAuth.NONE)).aesKey());
  }

  @Test
  void bindingSeparatesServerNamesButNotTheirLetterCase() {
    ResumptionContext c = ResumptionContext.of(serverOne.chain(), ClientAuth.NONE);
    assertThat(c.bind("a.test")).isEqualTo(c.bind("A.TEST")).isNotEqualTo(c.bind("b.test"))
        .isNotEqualTo(c.bind((byte[]) null)).hasSize(32);
    assertThat(c.bind((byte[]) null)).isNotEqualTo(c.bind(""));
    assertThat(c.toString()).matches("ResumptionContext\\[[0-9a-f]{16}\\]");
  }
}
