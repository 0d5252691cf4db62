package io.github.shredcache.demo;

import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --engine bc}: Bouncy Castle TLS through the netty-adapter's ShredcacheSslContext.
 * INTERIM: until that context is in this build, this falls back to {@link JdkNodeTls}.
 */
final class BcNodeTls {
  private static final Logger log = LoggerFactory.getLogger(BcNodeTls.class);

  private BcNodeTls() {}

  static NodeTls create(NodeTls.Setup setup) throws SSLException {
    log.warn("the bc engine (ShredcacheSslContext) is not in this build yet: using Netty's JDK provider,"
        + " sessions resume on this node only");
    return new JdkNodeTls(setup);
  }
}
