package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The session lifetime is set once, in the key ratchet; the cache and the context derive theirs. */
class OneLifetimeTest {
  private final TestCertificate cert = newCert();
  private final KeyRatchet ratchet = KeyRatchet.fromToken(
      KeyToken.generate(Duration.ofHours(1), InstantSource.system()), Duration.ofMinutes(7),
      InstantSource.system());
  private final SessionCache cache = SessionCache.builder().keys(ratchet)
      .store(new InMemorySessionStore()).build();

  private static TestCertificate newCert() {
    try {
      return TestPki.localhost();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void close() {
    cache.close();
    ratchet.close();
    cert.close();
  }

  @Test
  void cacheAndContextTakeTheRatchetsLifetime() throws Exception {
    assertThat(cache.maxSessionLifetime()).isEqualTo(Duration.ofMinutes(7));
    ShredcacheSslContext ctx = ShredcacheSslContextBuilder
        .forServer(cert.certificateFile(), cert.privateKeyFile()).sessionCache(cache).build();
    assertThat(ctx.sessionContext().getSessionTimeout()).isEqualTo(7 * 60);
  }

  @Test
  void aShorterContextLifetimeIsAllowed() throws Exception {
    ShredcacheSslContext ctx = ShredcacheSslContextBuilder
        .forServer(cert.certificateFile(), cert.privateKeyFile()).sessionCache(cache)
        .sessionLifetime(Duration.ofMinutes(2)).build();
    assertThat(ctx.sessionContext().getSessionTimeout()).isEqualTo(2 * 60);
  }

  @Test
  void aLongerContextLifetimeFailsBuildWithTheFix() {
    assertThatThrownBy(() -> ShredcacheSslContextBuilder
        .forServer(cert.certificateFile(), cert.privateKeyFile()).sessionCache(cache)
        .sessionLifetime(Duration.ofMinutes(30)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PT30M").hasMessageContaining("PT7M")
        .hasMessageContaining("leave sessionLifetime unset")
        .hasMessageContaining("KeyRatchet.fromToken");
  }

  @Test
  void aLongerCacheLifetimeThanTheKeyWindowFailsBuildWithTheFix() {
    assertThatThrownBy(() -> SessionCache.builder().keys(ratchet)
        .maxSessionLifetime(Duration.ofHours(2)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("longer than the key window covers")
        .hasMessageContaining("KeyRatchet.fromToken");
  }
}
