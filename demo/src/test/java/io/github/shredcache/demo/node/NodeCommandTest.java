package io.github.shredcache.demo.node;

import static io.github.shredcache.demo.CommandRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.demo.CommandRun;
import io.github.shredcache.demo.cli.SecretFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad flags of {@code node} exit 2 with a message that says the fix; nothing is started. */
class NodeCommandTest {
  @TempDir Path dir;

  private Path tokenFile() throws IOException {
    return SecretFiles.writePrivate(dir.resolve("token"), "not checked before the flags\n");
  }

  @Test
  void missingTokenFileOption() {
    CommandRun r = run("node", "--port", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--key-token-file").contains("Try 'shredcache-demo node --help'");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void portOutOfRange() throws IOException {
    CommandRun r = run("node", "--port", "65536", "--key-token-file", tokenFile().toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--port must be a port from 1 to 65535");
  }

  @Test
  void portNotANumber() throws IOException {
    CommandRun r = run("node", "--port", "https", "--key-token-file", tokenFile().toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--port").contains("https");
  }

  @Test
  void metricsPortOutOfRange() throws IOException {
    CommandRun r = run("node", "--port", "0", "--metrics-port", "-1", "--key-token-file", tokenFile().toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--metrics-port must be a port");
  }

  @Test
  void tokenFileReadableByOthersIsRefusedWithTheFix() throws IOException {
    Path token = tokenFile();
    Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    CommandRun r = run("node", "--port", "0", "--key-token-file", token.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--key-token-file", "readable or writable by others",
        "chmod 600 " + token, "--allow-readable-token-file");
    assertThat(r.err()).doesNotContain("not checked before the flags");
  }

  @Test
  void tokenFileMissing() {
    CommandRun r = run("node", "--port", "0", "--key-token-file", dir.resolve("nope").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--key-token-file").contains("no such file");
  }

  @Test
  void certWithoutKey() throws IOException {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    CommandRun r = run("node", "--port", "0", "--key-token-file", tokenFile().toString(), "--cert", cert.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--cert and --key go together");
  }

  @Test
  void keyFileMissing() throws IOException {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    CommandRun r = run("node", "--port", "0", "--key-token-file", tokenFile().toString(),
        "--cert", cert.toString(), "--key", dir.resolve("key.pem").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--key ").contains("no such file");
  }

  @Test
  void memcachedAddressWithoutPort() throws IOException {
    CommandRun r = run("node", "--port", "0", "--key-token-file", tokenFile().toString(), "--memcached", "cache1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("host:port").contains("cache1");
  }

  @Test
  void memcachedPortOutOfRange() throws IOException {
    CommandRun r = run("node", "--port", "0", "--key-token-file", tokenFile().toString(),
        "--memcached", "127.0.0.1:11211,127.0.0.1:0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("127.0.0.1:0").contains("1 to 65535");
  }

  @Test
  void memcachedUserWithoutPassword() throws IOException {
    CommandRun r = run("node", "--port", "0", "--key-token-file", tokenFile().toString(),
        "--memcached", "127.0.0.1:11211", "--memcached-user", "demo");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--memcached-password-file");
  }

  @Test
  void badDuration() throws IOException {
    CommandRun r = run("node", "--port", "0", "--key-token-file", tokenFile().toString(), "--session-lifetime", "5 minutes");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--session-lifetime").contains("300s");
  }

  @Test
  void zeroDuration() throws IOException {
    CommandRun r = run("node", "--port", "0", "--key-token-file", tokenFile().toString(), "--session-lifetime", "0s");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("positive");
  }

  @Test
  void unknownEngine() throws IOException {
    CommandRun r = run("node", "--port", "0", "--key-token-file", tokenFile().toString(), "--engine", "conscrypt");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--engine").contains("conscrypt");
  }

  @Test
  void unknownOptionSuggestsTheRightOne() throws IOException {
    CommandRun r = run("node", "--port", "0", "--key-token-file", tokenFile().toString(), "--memcache", "x:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option").contains("--memcached");
  }

  @Test
  void helpExitsZero() {
    CommandRun r = run("node", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--key-token-file").contains("listening on");
  }
}
