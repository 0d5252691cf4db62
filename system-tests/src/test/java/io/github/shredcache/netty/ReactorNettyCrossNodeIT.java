package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.testing.net.Balancer;
import io.github.shredcache.testing.tls.JdkTlsClient;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Reactor Netty's HTTP server, given a {@link ShredcacheSslContext} through its own TLS API
 * ({@code secure(spec -> spec.sslContext(ctx))}, which calls {@code newHandler}), on two nodes
 * sharing one memcached: sessions made on one node resume on the other.
 */
class ReactorNettyCrossNodeIT {
  @TempDir Path tmp;
  TwoNodes nodes;
  DisposableServer nodeA;
  DisposableServer nodeB;

  /** Answers every request with how the connection's handshake went. */
  static DisposableServer serve(ShredcacheSslContext ssl) {
    return HttpServer.create()
        .host("127.0.0.1")
        .port(0)
        .secure(spec -> spec.sslContext(ssl))
        .handle((request, response) -> {
          AtomicReference<String> how = new AtomicReference<>();
          response.withConnection(c -> how.set(resumption(c.channel())));
          return response.sendString(Mono.just(how.get()));
        })
        .bindNow(Duration.ofSeconds(10));
  }

  static String resumption(Channel ch) {
    return ShredcacheSslContext.resumption(ch.pipeline().get(SslHandler.class).engine()).name();
  }

  @BeforeEach
  void start() throws Exception {
    nodes = new TwoNodes();
    nodeA = serve(nodes.contextA());
    nodeB = serve(nodes.contextB());
  }

  @AfterEach
  void stop() throws Exception {
    nodeA.disposeNow(Duration.ofSeconds(5));
    nodeB.disposeNow(Duration.ofSeconds(5));
    nodes.close();
  }

  @Test
  void opensslSessionsFromNodeAResumeOnNodeB() throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    CrossNodeClients.assertOpensslResumesAtoB(nodeA.port(), nodeB.port(), tmp, 3);
    assertThat(nodes.cacheB.stats().storeHits()).isEqualTo(3);
  }

  @Test
  void jdkClientBehindRoundRobinBalancerResumesOnTheOtherNodeAndIsServed() throws Exception {
    try (Balancer lb = Balancer.start(List.of(nodeA.port(), nodeB.port()))) {
      SSLContext client = JdkTlsClient.trustingAnyServer();
      CrossNodeClients.Exchange first = CrossNodeClients.jdkGet(client, lb.port(), "/");
      assertThat(first.response()).startsWith("HTTP/1.1 200");
      assertThat(first.body()).isEqualTo("FULL");

      CrossNodeClients.Exchange second = CrossNodeClients.jdkGet(client, lb.port(), "/");
      assertThat(second.response()).startsWith("HTTP/1.1 200");
      assertThat(second.body()).isEqualTo("RESUMED_SHARED");
      assertThat(second.sessionIdHex()).isEqualTo(first.sessionIdHex());
    }
  }
}
