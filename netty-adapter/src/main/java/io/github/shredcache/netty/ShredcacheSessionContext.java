package io.github.shredcache.netty;

import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import org.jspecify.annotations.Nullable;

/**
 * The {@link SSLSessionContext} of a {@link ShredcacheSslContext}. Sessions live in the {@code
 * SessionCache} as sealed bytes, not as {@link SSLSession} objects, so this context lists none;
 * its timeout is the configured session lifetime and cannot be changed after build.
 */
final class ShredcacheSessionContext implements SSLSessionContext {
  private final int timeoutSeconds;

  ShredcacheSessionContext(Duration lifetime) {
    this.timeoutSeconds = (int) Math.min(Integer.MAX_VALUE, lifetime.getSeconds());
  }

  @Override
  public @Nullable SSLSession getSession(byte[] sessionId) {
    return null;
  }

  @Override
  public Enumeration<byte[]> getIds() {
    return Collections.emptyEnumeration();
  }

  @Override
  public void setSessionTimeout(int seconds) {
    throw new UnsupportedOperationException(
        "set the lifetime with ShredcacheSslContextBuilder.sessionLifetime(..)");
  }

  @Override
  public int getSessionTimeout() {
    return timeoutSeconds;
  }

  @Override
  public void setSessionCacheSize(int size) {
    throw new UnsupportedOperationException(
        "size the front cache with SessionCache.builder().frontCacheMaximumSize(..)");
  }

  @Override
  public int getSessionCacheSize() {
    return 0;
  }
}
