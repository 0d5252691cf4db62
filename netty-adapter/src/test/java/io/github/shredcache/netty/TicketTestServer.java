package io.github.shredcache.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/**
 * A TLS node for tests: a Netty server on 127.0.0.1 (free port) over an OpenSSL {@link SslContext}
 * that answers one small HTTP response and closes, and records every handshake as the server saw it
 * (protocol, and whether BoringSSL resumed the session).
 */
final class TicketTestServer implements AutoCloseable {

  /** One server-side handshake: its protocol, whether it resumed, or why it failed. */
  record Handshake(String protocol, boolean reused, String failure) {
    boolean succeeded() {
      return failure == null;
    }
  }

  private final Channel channel;
  private final BlockingQueue<Handshake> handshakes = new LinkedBlockingQueue<>();

  private TicketTestServer(SslContext context, EventLoopGroup group, String name,
      boolean ownHandler) throws InterruptedException {
    channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast("ssl", ownHandler
                        ? new SslHandler(context.newEngine(ch.alloc()))
                        : context.newHandler(ch.alloc()));
                    ch.pipeline().addLast(new Responder(name));
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  /** Serves with {@code context.newHandler(alloc)}, as plain Netty and Reactor Netty do. */
  static TicketTestServer start(SslContext context, EventLoopGroup group, String name)
      throws InterruptedException {
    return new TicketTestServer(context, group, name, false);
  }

  /**
   * Serves with an {@code SslHandler} of its own around {@code context.newEngine(alloc)}, as
   * grpc-java does.
   */
  static TicketTestServer startWithOwnHandlers(SslContext context, EventLoopGroup group,
      String name) throws InterruptedException {
    return new TicketTestServer(context, group, name, true);
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Waits for the next handshake this server saw; fails the test after {@code timeout}. */
  Handshake nextHandshake(Duration timeout) throws InterruptedException {
    Handshake h = handshakes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (h == null) {
      throw new AssertionError("no handshake reached the server within " + timeout);
    }
    return h;
  }

  /** Drops handshakes recorded so far. */
  void clearHandshakes() {
    handshakes.clear();
  }

  @Override
  public void close() throws InterruptedException {
    channel.close().sync();
  }

  /** Whether the OpenSSL engine resumed a session (BoringSSL's SSL_session_reused). */
  static boolean isSessionReused(SSLEngine engine) {
    return TicketKeyRotator.isResumed(engine);
  }

  private final class Responder extends ChannelInboundHandlerAdapter {
    private final String name;
    private boolean answered;

    Responder(String name) {
      this.name = name;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent) {
        SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent) evt;
        if (done.isSuccess()) {
          SSLEngine engine = ctx.pipeline().get(SslHandler.class).engine();
          handshakes.add(
              new Handshake(engine.getSession().getProtocol(), isSessionReused(engine), null));
        } else {
          handshakes.add(new Handshake(null, false, String.valueOf(done.cause())));
        }
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      if (answered) {
        return;
      }
      answered = true;
      byte[] body = ("served by " + name + "\n").getBytes(StandardCharsets.US_ASCII);
      ByteBuf response =
          Unpooled.wrappedBuffer(
              ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
                      + body.length
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII),
              body);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
