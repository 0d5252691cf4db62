package io.github.shredcache.demo.keys;

import static io.github.shredcache.demo.CommandRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.core.KeyToken;
import io.github.shredcache.demo.CommandRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keys init / advance / info}, in process. */
class KeysCommandTest {
  private static final String TOKEN = "sc1:\\d+:\\d+:[A-Za-z0-9_-]{43}=?";

  @TempDir Path dir;

  private static long epochNow(long epochSeconds) {
    return Math.floorDiv(Instant.now().getEpochSecond(), epochSeconds);
  }

  private static long epochOf(String token) {
    return Long.parseLong(token.split(":")[2]);
  }

  @Test
  void initPrintsOneTokenOfTheCurrentEpoch() {
    CommandRun r = run("keys", "init", "--epoch-length", "10m");
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    String line = r.out().strip();
    assertThat(line).matches(TOKEN).startsWith("sc1:600:");
    assertThat(r.out().lines().count()).isEqualTo(1);
    long epoch = epochOf(line);
    assertThat(epoch).isBetween(epochNow(600) - 1, epochNow(600));
  }

  @Test
  void initDefaultsToOneHourAndMakesNewChains() {
    String a = run("keys", "init").out().strip();
    String b = run("keys", "init").out().strip();
    assertThat(a).startsWith("sc1:3600:").matches(TOKEN);
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void advanceOfAnOldTokenGivesTheCurrentEpochsToken() throws IOException {
    // A chain started 50 epochs of 10 s ago.
    InstantSource past = InstantSource.fixed(Instant.now().minusSeconds(500));
    KeyToken old = KeyToken.generate(Duration.ofSeconds(10), past);
    String oldText = old.encode();
    Path file = Files.writeString(dir.resolve("token"), oldText + "\n");

    CommandRun r = run("keys", "advance", "--token-file", file.toString());
    assertThat(r.code()).as(r.err()).isZero();
    String advanced = r.out().strip();
    assertThat(advanced).matches(TOKEN).startsWith("sc1:10:");
    long epoch = epochOf(advanced);
    assertThat(epoch).isBetween(epochNow(10) - 1, epochNow(10));
    assertThat(epoch).isGreaterThanOrEqualTo(old.epoch() + 49);

    // Same chain: ratcheting the old token to that epoch independently gives the same token.
    KeyToken expected = old.advanceTo(epoch);
    assertThat(advanced).isEqualTo(expected.encode());
    assertThat(advanced).isNotEqualTo(oldText);
    expected.destroy();
    old.destroy();

    // Advancing the current token again keeps it (same epoch) or moves it forward on the same chain.
    Path again = Files.writeString(dir.resolve("token2"), advanced);
    String twice = run("keys", "advance", "--token-file", again.toString()).out().strip();
    assertThat(epochOf(twice)).isGreaterThanOrEqualTo(epoch);
    if (epochOf(twice) == epoch) {
      assertThat(twice).isEqualTo(advanced);
    }
  }

  @Test
  void advanceInPlaceReplacesTheFileWithAPrivateOneOfTheCurrentEpoch() throws IOException {
    InstantSource past = InstantSource.fixed(Instant.now().minusSeconds(500));
    KeyToken old = KeyToken.generate(Duration.ofSeconds(10), past);
    Path file = Files.writeString(dir.resolve("token"), old.encode() + "\n");
    Object inodeBefore = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

    CommandRun r = run("keys", "advance", "--token-file", file.toString(), "--in-place");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("advanced to epoch").doesNotContain(old.encode().substring(16));
    String stored = Files.readString(file).strip();
    assertThat(stored).matches(TOKEN);
    assertThat(epochOf(stored)).isBetween(epochNow(10) - 1, epochNow(10));
    KeyToken expected = old.advanceTo(epochOf(stored));
    assertThat(stored).isEqualTo(expected.encode());
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
        .isNotEqualTo(inodeBefore); // a new file renamed over the old one: readers never see half a token
    try (var left = Files.list(dir)) {
      assertThat(left).extracting(p -> p.getFileName().toString()).containsExactly("token");
    }
    expected.destroy();
    old.destroy();
  }

  @Test
  void followNeedsInPlace() throws IOException {
    Path file = Files.writeString(dir.resolve("token"), run("keys", "init").out());
    CommandRun r = run("keys", "advance", "--token-file", file.toString(), "--follow");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--follow needs --in-place");
  }

  @Test
  void initThenAdvanceRoundTrip() throws IOException {
    String token = run("keys", "init", "--epoch-length", "1h").out().strip();
    Path file = Files.writeString(dir.resolve("token"), token);
    CommandRun r = run("keys", "advance", "--token-file", file.toString());
    assertThat(r.code()).isZero();
    // Same hour (unless the test ran across an hour boundary, then one epoch later).
    String advanced = r.out().strip();
    if (epochOf(advanced) == epochOf(token)) {
      assertThat(advanced).isEqualTo(token);
    } else {
      assertThat(epochOf(advanced)).isEqualTo(epochOf(token) + 1);
    }
  }

  @Test
  void badTokenExits2WithoutEchoingTheSecret() throws IOException {
    String secret = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZn"; // 44 chars: wrong state length
    for (String bad : new String[] {
        "sc1:3600:" + epochNow(3600) + ":" + secret,
        "sc9:3600:" + epochNow(3600) + ":" + secret,
        "sc1:3600:" + secret,
        "sc1:abc:" + epochNow(3600) + ":" + secret,
        "sc1:3600:" + (epochNow(3600) + 100) + ":" + secret.substring(0, 43),
        "sc1:3600:" + epochNow(3600) + ":" + secret.substring(0, 40) + "!!!",
    }) {
      Path file = Files.writeString(dir.resolve("bad"), bad + "\n");
      CommandRun r = run("keys", "advance", "--token-file", file.toString());
      assertThat(r.code()).as(bad).isEqualTo(2);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).as(bad).startsWith("error: --token-file ");
      assertThat(r.err()).doesNotContain(secret.substring(0, 12)).doesNotContain(secret.substring(20, 32));
    }
  }

  @Test
  void missingOrEmptyTokenFileExits2() throws IOException {
    CommandRun missing = run("keys", "advance", "--token-file", dir.resolve("none").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("no such file");
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    CommandRun e = run("keys", "advance", "--token-file", empty.toString());
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.err()).contains("empty");
  }

  @Test
  void badEpochLengthExits2() {
    CommandRun r = run("keys", "init", "--epoch-length", "often");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--epoch-length").contains("1h");
  }

  @Test
  void infoShowsEpochsNotTheSecret() throws IOException {
    KeyToken old = KeyToken.generate(Duration.ofSeconds(60), InstantSource.fixed(Instant.now().minusSeconds(600)));
    String text = old.encode();
    old.destroy();
    Path file = Files.writeString(dir.resolve("token"), text);
    CommandRun r = run("keys", "info", "--token-file", file.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("epoch-length: 60s").contains("epochs-behind: ").contains("keys advance");
    assertThat(r.out()).doesNotContain(text.substring(text.lastIndexOf(':') + 1));
  }
}
