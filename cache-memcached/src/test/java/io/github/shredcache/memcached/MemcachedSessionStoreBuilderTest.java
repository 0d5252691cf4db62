package io.github.shredcache.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemcachedSessionStoreBuilderTest {

  @Test
  void parsesServerLists() {
    List<InetSocketAddress> servers = ServerList.parse(" 127.0.0.1:11211, 127.0.0.1:11212 ,[::1]:11213");
    assertThat(servers).extracting(InetSocketAddress::getPort).containsExactly(11211, 11212, 11213);
    assertThat(servers.get(2).getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
  }

  @Test
  void malformedServerListsSayWhatIsExpected() {
    assertThatThrownBy(() -> ServerList.parse("cache1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("memcached address must be host:port, was 'cache1'");
    assertThatThrownBy(() -> ServerList.parse("127.0.0.1:11211,cache2:"))
        .hasMessage("memcached address must be host:port, was 'cache2:'");
    assertThatThrownBy(() -> ServerList.parse(":11211"))
        .hasMessage("memcached address must be host:port, was ':11211'");
    assertThatThrownBy(() -> ServerList.parse("127.0.0.1:eleven"))
        .hasMessage("memcached address must be host:port, was '127.0.0.1:eleven'");
    assertThatThrownBy(() -> ServerList.parse("::1:11211"))
        .hasMessage("memcached address must be host:port, was '::1:11211'");
    assertThatThrownBy(() -> ServerList.parse("127.0.0.1:70000"))
        .hasMessage("memcached port must be 1 to 65535, was '127.0.0.1:70000'");
    assertThatThrownBy(() -> ServerList.parse("127.0.0.1:1,,127.0.0.1:2"))
        .hasMessageContaining("empty entry");
    assertThatThrownBy(() -> ServerList.parse("  "))
        .hasMessageContaining("memcached server list is empty; expected host:port");
    assertThatThrownBy(() -> ServerList.parse("127.0.0.1:1,127.0.0.1:1"))
        .hasMessage("memcached server '127.0.0.1:1' is listed twice; list each server once");
    assertThatThrownBy(() -> ServerList.parse("no-such-host.invalid:11211"))
        .hasMessageContaining("memcached host 'no-such-host.invalid' does not resolve");
  }

  @Test
  void settingsAreSetOnceAndRangeChecked() {
    MemcachedSessionStoreBuilder b = MemcachedSessionStore.builder().servers("127.0.0.1:11211");
    assertThatThrownBy(() -> b.servers("127.0.0.1:11212"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("servers was already set to 127.0.0.1:11211");
    assertThatThrownBy(() -> b.operationTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operation timeout must be between PT0.001S and PT10S");
    b.operationTimeout(Duration.ofMillis(20));
    assertThatThrownBy(() -> b.operationTimeout(Duration.ofMillis(30)))
        .hasMessage("operation timeout was already set to PT0.02S");
    assertThatThrownBy(() -> b.maxReconnectDelay(Duration.ofMillis(500)))
        .hasMessageContaining("max reconnect delay must be between PT1S and PT5M");
    assertThatThrownBy(() -> b.credentials("", "pw".toCharArray()))
        .hasMessage("memcached SASL user must not be empty");
    assertThatThrownBy(() -> b.credentials("alice", new char[0]))
        .hasMessage("memcached SASL password for user 'alice' must not be empty");
  }

  @Test
  void buildWithoutServersSaysHowToFixIt() {
    assertThatThrownBy(() -> MemcachedSessionStore.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("servers(\"host:port[,host:port...]\")");
  }

  @Test
  void credentialsAreCopiedAndNeverPrinted() {
    char[] password = "hunter2-secret".toCharArray();
    MemcachedSessionStoreBuilder b =
        MemcachedSessionStore.builder().credentials("alice", password);
    java.util.Arrays.fill(password, 'x'); // the caller may zero its array at once
    byte[] plain = b.credentials.plainInitialResponse();
    assertThat(new String(plain, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("\0alice\0hunter2-secret");
    assertThat(b.credentials.toString()).contains("alice").doesNotContain("hunter2");
    assertThatThrownBy(() -> b.credentials("bob", "other".toCharArray()))
        .hasMessageNotContaining("hunter2");
    b.credentials.destroy();
    assertThat(b.credentials.isDestroyed()).isTrue();
    assertThatThrownBy(b.credentials::plainInitialResponse).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void ttlIsRoundedUpAndClampedToThirtyDays() {
    assertThat(MemcachedSessionStore.expirationSeconds(Duration.ofMillis(1))).isEqualTo(1);
    assertThat(MemcachedSessionStore.expirationSeconds(Duration.ofMillis(1500))).isEqualTo(2);
    assertThat(MemcachedSessionStore.expirationSeconds(Duration.ofHours(1))).isEqualTo(3600);
    assertThat(MemcachedSessionStore.expirationSeconds(Duration.ofDays(30))).isEqualTo(2_592_000);
    assertThat(MemcachedSessionStore.expirationSeconds(Duration.ofDays(31))).isEqualTo(2_592_000);
    assertThat(MemcachedSessionStore.expirationSeconds(Duration.ofDays(100_000))).isEqualTo(2_592_000);
  }

  @Test
  void keysMustBeShortPrintableAsciiWithoutSpaces() {
    assertThat(MemcachedSessionStore.keyProblem("ns:AbC-_09")).isNull();
    assertThat(MemcachedSessionStore.keyProblem("k".repeat(250))).isNull();
    assertThat(MemcachedSessionStore.keyProblem("k".repeat(251))).contains("more than 250");
    assertThat(MemcachedSessionStore.keyProblem("")).contains("empty");
    assertThat(MemcachedSessionStore.keyProblem("a b")).contains("without spaces");
    assertThat(MemcachedSessionStore.keyProblem("a\nb")).contains("U+000A");
    assertThat(MemcachedSessionStore.keyProblem("caf\u00e9")).contains("U+00E9");
  }

  @Test
  void rawTranscoderStoresBytesAsIsUnderFixedFlags() {
    byte[] value = {0, 1, 2, (byte) 0xff};
    net.spy.memcached.CachedData encoded = RawBytesTranscoder.INSTANCE.encode(value);
    assertThat(encoded.getFlags()).isEqualTo(RawBytesTranscoder.FLAGS);
    assertThat(encoded.getData()).containsExactly(value);
    assertThat(RawBytesTranscoder.INSTANCE.decode(new net.spy.memcached.CachedData(7, value, 10)))
        .containsExactly(value);
    assertThat(RawBytesTranscoder.INSTANCE.asyncDecode(encoded)).isFalse();
  }
}
