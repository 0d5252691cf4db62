package io.github.shredcache.demo.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.demo.cli.SecretFiles;
import io.github.shredcache.demo.cli.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node started with {@code --warm-up} runs handshakes against private copies of itself before it
 * listens: full and resumed ones, none failed, and none of it reaches the shared store or the
 * node's own handshake counters.
 */
class NodeWarmUpTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"bc", "openssl", "jdk"})
  void warmUpResumesOnAPrivateCopyAndLeavesTheSharedStoreAndMetricsUntouched(String engine) throws Exception {
    InMemorySessionStore shared = new InMemorySessionStore();
    try (Node node = start(shared, engine, "1s")) {
      NodeWarmUp.Result r = node.warmUpResult();
      assertThat(r).isNotNull();
      assertThat(r.failed()).isZero();
      assertThat(r.full()).isPositive();
      assertThat(r.resumed()).as("resumptions on the warm-up copies").isPositive();
      if (engine.equals("bc")) {
        assertThat(r.resumedFromStore()).as("resumptions through the copies' shared store").isPositive();
      }
      assertThat(r.took()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
      assertThat(shared.size()).as("warm-up sessions stay out of the shared store").isZero();
      for (Handshake how : Handshake.values()) {
        assertThat(node.metrics().handshakes(how)).as(how.name()).isZero();
      }
    }
  }

  @Test
  void withoutWarmUpThereIsNone() throws Exception {
    try (Node node = start(new InMemorySessionStore(), "bc", null)) {
      assertThat(node.warmUpResult()).isNull();
    }
  }

  @Test
  void aHugeWarmUpFailsAtStartSayingTheLimit() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(new InMemorySessionStore(), "bc", "1h"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--warm-up must be at most 300s");
  }

  private Node start(InMemorySessionStore shared, String engine, String warmUp) throws Exception {
    KeyToken token = KeyToken.generate(Duration.ofMinutes(10), java.time.InstantSource.system());
    Path tokenFile = SecretFiles.writePrivate(dir.resolve("token-" + System.nanoTime()), token.encode() + "\n");
    token.destroy();
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
        "--port", "0", "--key-token-file", tokenFile.toString(), "--engine", engine));
    if (warmUp != null) {
      args.add("--warm-up");
      args.add(warmUp);
    }
    return NodeCommand.start(args, shared);
  }
}
