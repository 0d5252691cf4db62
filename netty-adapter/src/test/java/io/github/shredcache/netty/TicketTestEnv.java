package io.github.shredcache.netty;

import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.OpenSsl;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the ticket-mode tests of one class share: a Netty event loop group and an EC certificate
 * for localhost, made once OpenSSL is known to be available and released after the class.
 *
 * <pre>{@code
 * @RegisterExtension static final TicketTestEnv env = new TicketTestEnv(1);
 * }</pre>
 */
final class TicketTestEnv implements BeforeAllCallback, AfterAllCallback {
  private final int threads;
  private EventLoopGroup group;
  private TestCertificate cert;

  TicketTestEnv(int threads) {
    this.threads = threads;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    OpenSsl.ensureAvailability();
    group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    cert = TestPki.localhost();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    cert.close();
  }

  EventLoopGroup group() {
    return group;
  }

  TestCertificate cert() {
    return cert;
  }
}
