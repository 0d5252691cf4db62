package io.github.shredcache.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyTokenTest {
  private static final String SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
  private final FakeClock clock = new FakeClock();

  @Test
  void parseAndEncodeRoundTrip() {
    KeyToken t = KeyToken.parse("  " + TestKeys.TOKEN_A + "\n", clock);
    assertThat(t.epoch()).isEqualTo(TestKeys.EPOCH_0);
    assertThat(t.epochLength()).isEqualTo(Duration.ofHours(1));
    assertThat(t.encode()).isEqualTo(TestKeys.TOKEN_A);
  }

  @Test
  void toStringIsRedacted() {
    KeyToken t = TestKeys.tokenA(clock);
    assertThat(t.toString()).doesNotContain(SECRET).contains("redacted");
  }

  @Test
  void destroyZeroizesAndBlocksUse() {
    KeyToken t = TestKeys.tokenA(clock);
    byte[] live = t.stateBytes();
    t.destroy();
    assertThat(t.isDestroyed()).isTrue();
    assertThat(live).containsOnly(0);
    assertThatThrownBy(t::encode).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> t.advanceTo(TestKeys.EPOCH_0 + 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void generateStartsAtCurrentEpochAndParsesBack() {
    KeyToken t = KeyToken.generate(Duration.ofMinutes(30), clock);
    assertThat(t.epoch()).isEqualTo(TestKeys.START.getEpochSecond() / 1800);
    KeyToken back = KeyToken.parse(t.encode(), clock);
    assertThat(back.encode()).isEqualTo(t.encode());
    assertThat(KeyToken.generate(Duration.ofMinutes(30), clock).encode()).isNotEqualTo(t.encode());
  }

  @Test
  void generateRejectsBadEpochLength() {
    assertThatThrownBy(() -> KeyToken.generate(Duration.ofMillis(1500), clock))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole seconds");
    assertThatThrownBy(() -> KeyToken.generate(Duration.ZERO, clock))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void advanceToIsStepwiseAndLeavesOriginal() {
    KeyToken t = TestKeys.tokenA(clock);
    KeyToken plus2 = t.advanceTo(TestKeys.EPOCH_0 + 2);
    KeyToken viaOne = t.advanceTo(TestKeys.EPOCH_0 + 1).advanceTo(TestKeys.EPOCH_0 + 2);
    assertThat(plus2.encode()).isEqualTo(viaOne.encode()).isNotEqualTo(t.encode());
    assertThat(plus2.epoch()).isEqualTo(TestKeys.EPOCH_0 + 2);
    assertThat(t.encode()).isEqualTo(TestKeys.TOKEN_A);
    assertThat(t.advanceTo(TestKeys.EPOCH_0).encode()).isEqualTo(TestKeys.TOKEN_A);
    assertThatThrownBy(() -> plus2.advanceTo(TestKeys.EPOCH_0 + 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only advances");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "wrong prefix        | sc2:3600:490896:" + SECRET + "                 | must start with 'sc1:'",
    "no colon            | " + SECRET + "                                   | must start with 'sc1:'",
    "empty               | ''                                              | must start with 'sc1:'",
    "too few fields      | sc1:3600:" + SECRET + "                         | 4 fields",
    "too many fields     | sc1:3600:490896:1:" + SECRET + "                | 4 fields",
    "epochSeconds zero   | sc1:0:490896:" + SECRET + "                     | epoch length",
    "epochSeconds text   | sc1:1h:490896:" + SECRET + "                    | epochSeconds",
    "epoch negative      | sc1:3600:-1:" + SECRET + "                      | epoch",
    "epoch empty         | sc1:3600::" + SECRET + "                        | epoch",
    "state short         | sc1:3600:490896:" + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh" + " | 43 base64url",
    "state long          | sc1:3600:490896:" + SECRET + "A                 | 43 base64url",
    "state padded        | sc1:3600:490896:" + SECRET + "=                 | 43 base64url",
    "state std base64    | sc1:3600:490896:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH+8 | not base64url",
    "from the future     | sc1:3600:490898:" + SECRET + "                  | check this machine's clock or the token",
  })
  void parseErrorsNameTheProblemAndNeverEchoTheSecret(String name, String token, String expected) {
    assertThatThrownBy(() -> KeyToken.parse(token, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected)
        .satisfies(e -> {
          assertThat(e.getMessage()).doesNotContain(SECRET.substring(0, 8));
          assertThat(e.getMessage()).doesNotContain(SECRET.substring(20, 28));
          assertThat(e.getCause()).isNull();
        });
  }

  @Test
  void tokenOneEpochAheadIsAcceptedForClockSkew() {
    KeyToken t = KeyToken.parse("sc1:3600:490897:" + SECRET, clock);
    assertThat(t.epoch()).isEqualTo(TestKeys.EPOCH_0 + 1);
  }
}
