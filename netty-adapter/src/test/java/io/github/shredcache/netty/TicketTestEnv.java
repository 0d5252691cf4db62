package io.github.shredcache.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.util.SelfSignedCertificate;
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
  private SelfSignedCertificate cert;

  TicketTestEnv(int threads) {
    this.threads = threads;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    OpenSsl.ensureAvailability();
    group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    cert = SelfSignedCertificate.builder().fqdn("localhost").algorithm("EC").bits(256).build();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    cert.delete();
  }

  EventLoopGroup group() {
    return group;
  }

  SelfSignedCertificate cert() {
    return cert;
  }
}
