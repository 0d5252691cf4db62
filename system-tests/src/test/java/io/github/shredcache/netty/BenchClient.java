package io.github.shredcache.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.concurrent.TimeUnit;

/**
 * A sequential handshake loop (one connection at a time, like {@code openssl s_time}) with
 * Netty's OpenSSL client, TLS 1.2.
 *
 * <pre>
 * java -cp ... io.github.shredcache.netty.BenchClient full|same|cross seconds portA [portB]
 * </pre>
 * {@code full}: a new session each time; {@code same}: one session resumed on portA;
 * {@code cross}: one session, connections alternate between portA and portB (each resumption
 * happens on the other node than the previous one). Prints handshakes per second.
 */
public final class BenchClient {
  private BenchClient() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int seconds = Integer.parseInt(args[1]);
    int portA = Integer.parseInt(args[2]);
    int portB = args.length > 3 ? Integer.parseInt(args[3]) : portA;
    SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
        .trustManager(InsecureTrustManagerFactory.INSTANCE).protocols("TLSv1.2").build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      long n = 0;
      long start = System.nanoTime();
      while (System.nanoTime() < end) {
        int port = mode.equals("cross") && (n & 1) == 1 ? portB : portA;
        String peer = mode.equals("full") ? "h" + n : "cluster";
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
            .handler(new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(client.newHandler(ch.alloc(), peer, 443));
              }
            })
            .connect("127.0.0.1", port).sync().channel();
        ch.pipeline().get(SslHandler.class).handshakeFuture().sync();
        ch.close().sync();
        n++;
      }
      double secs = (System.nanoTime() - start) / 1e9;
      System.out.printf("%s: %d handshakes in %.1f s = %.0f/s%n", mode, n, secs, n / secs);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
