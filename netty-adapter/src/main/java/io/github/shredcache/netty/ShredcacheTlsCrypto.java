package io.github.shredcache.netty;

import java.security.Provider;
import java.security.SecureRandom;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;

/** Bouncy Castle's JCA-based TLS crypto over {@link FallbackJcaJceHelper}. Thread-safe. */
final class ShredcacheTlsCrypto extends JcaTlsCrypto {
  ShredcacheTlsCrypto(Provider fallback) {
    super(new FallbackJcaJceHelper(fallback), new SecureRandom(), new SecureRandom());
  }
}
