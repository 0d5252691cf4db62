package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.shredcache.testing.net.Balancer;
import io.github.shredcache.testing.tls.OpenSslClient;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A grpc-java server given a {@link ShredcacheSslContext} through its own TLS API ({@code
 * NettyServerBuilder.sslContext(ctx)}, ALPN {@code h2}; grpc-java wraps {@code newEngine} in an
 * {@code SslHandler} of its own) on two nodes sharing one memcached: sessions made on one node
 * resume on the other, and real gRPC calls run over the resumed connection.
 */
class GrpcCrossNodeIT {
  /** A unary method without generated code: UTF-8 strings both ways. */
  static final MethodDescriptor<String, String> HANDSHAKE = MethodDescriptor
      .<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("shredcache.test.Tls/Handshake")
      .setRequestMarshaller(Utf8.INSTANCE)
      .setResponseMarshaller(Utf8.INSTANCE)
      .build();
  static final Context.Key<SSLSession> SESSION = Context.key("tls-session");

  @TempDir Path tmp;
  TwoNodes nodes;
  Server nodeA;
  Server nodeB;

  enum Utf8 implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream in) {
      try {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Answers every call with how its connection's handshake went. */
  static Server serve(ShredcacheSslContext ssl) throws IOException {
    ServerServiceDefinition service = ServerServiceDefinition.builder("shredcache.test.Tls")
        .addMethod(HANDSHAKE, ServerCalls.asyncUnaryCall((request, response) -> {
          SSLSession session = SESSION.get();
          response.onNext(session == null ? "NO_SESSION"
              : ShredcacheSslContext.resumption(session).name());
          response.onCompleted();
        }))
        .build();
    ServerInterceptor tlsSession = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        SSLSession s = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        return Contexts.interceptCall(Context.current().withValue(SESSION, s), call, headers,
            next);
      }
    };
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(ssl)
        .addService(ServerInterceptors.intercept(service, tlsSession))
        .build()
        .start();
  }

  @BeforeEach
  void start() throws Exception {
    nodes = new TwoNodes();
    nodeA = serve(nodes.contextA("h2"));
    nodeB = serve(nodes.contextB("h2"));
  }

  @AfterEach
  void stop() throws Exception {
    nodeA.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    nodeB.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    nodes.close();
  }

  @Test
  void opensslSessionsFromNodeAResumeOnNodeB() throws Exception {
    assumeTrue(OpenSslClient.available(), "openssl CLI missing");
    CrossNodeClients.assertOpensslResumesAtoB(nodeA.getPort(), nodeB.getPort(), tmp, 3,
        "-alpn", "h2");
    assertThat(nodes.cacheB.stats().storeHits()).isEqualTo(3);
  }

  /** One gRPC call on a new connection to {@code port}; the client keeps its TLS sessions. */
  static String call(SslContext client, int port) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port)
        .overrideAuthority("localhost:" + port) // the JDK keeps client sessions by host and port
        .sslContext(client)
        .build();
    try {
      return ClientCalls.blockingUnaryCall(channel, HANDSHAKE,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hello");
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void grpcClientBehindRoundRobinBalancerResumesOnTheOtherNodeAndCalls() throws Exception {
    SslContext client = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
        .trustManager(InsecureTrustManagerFactory.INSTANCE)
        .protocols("TLSv1.2")
        .build();
    try (Balancer lb = Balancer.start(List.of(nodeA.getPort(), nodeB.getPort()))) {
      assertThat(call(client, lb.port())).isEqualTo("FULL");
      assertThat(call(client, lb.port())).isEqualTo("RESUMED_SHARED");
      assertThat(nodes.cacheB.stats().storeHits()).isEqualTo(1);
    }
  }
}
