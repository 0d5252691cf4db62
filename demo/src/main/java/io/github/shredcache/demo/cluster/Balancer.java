package io.github.shredcache.demo.cluster;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A round-robin TCP balancer for the local demo: every accepted connection is relayed, bytes
 * unchanged, to the next backend in turn (like HAProxy in {@code mode tcp} with {@code balance
 * roundrobin}). TLS passes through untouched, so a client's next connection usually lands on
 * another node than its last one.
 *
 * <p>Binds to loopback only. Flow control: a side stops reading while the other side's outbound
 * buffer is full. A backend that refuses the connection makes the balancer close the client's
 * connection (no retry: the demo should show such failures). Thread-safe; {@link #close()} stops
 * it and closes all relayed connections.
 */
final class Balancer implements AutoCloseable {
  private final EventLoopGroup group;
  private final List<InetSocketAddress> backends;
  private final AtomicLong next = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final Channel server;

  private Balancer(List<InetSocketAddress> backends, int port, int threads)
      throws InterruptedException {
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("the balancer needs at least one backend");
    }
    this.backends = List.copyOf(backends);
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    try {
      this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.AUTO_READ, false)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new Front());
            }
          })
          .bind("127.0.0.1", port).sync().channel();
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /**
   * Starts a balancer on {@code 127.0.0.1:port} ({@code 0}: a free port) in front of {@code
   * backends}.
   */
  static Balancer start(List<InetSocketAddress> backends, int port) throws InterruptedException {
    return new Balancer(backends, port, 1);
  }

  /** The port clients connect to. */
  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** How many client connections were accepted so far. */
  long accepted() {
    return accepted.get();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private InetSocketAddress nextBackend() {
    return backends.get((int) (next.getAndIncrement() % backends.size()));
  }

  /** Flushes what is queued, then closes. */
  static void closeOnFlush(Channel ch) {
    if (ch != null && ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The client side of a relayed connection. */
  private final class Front extends ChannelInboundHandlerAdapter {
    private volatile Channel back;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      accepted.incrementAndGet();
      Channel front = ctx.channel();
      new Bootstrap().group(front.eventLoop()).channel(NioSocketChannel.class)
          .option(ChannelOption.AUTO_READ, false)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
          .handler(new Relay(front))
          .connect(nextBackend())
          .addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
              back = f.channel();
              front.read();
              back.read();
            } else {
              front.close();
            }
          });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      relay(ctx.channel(), back, msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && back != null) {
        back.read();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeOnFlush(back);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      closeOnFlush(ctx.channel());
    }
  }

  /** Relays {@code msg} read from {@code from} to {@code to}; reads more when it was written. */
  static void relay(Channel from, Channel to, Object msg) {
    to.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
      if (f.isSuccess()) {
        if (to.isWritable()) {
          from.read();
        }
      } else {
        f.channel().close();
        from.close();
      }
    });
  }

  /** The backend side of a relayed connection. */
  private static final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel front;

    Relay(Channel front) {
      this.front = front;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      relay(ctx.channel(), front, msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        front.read();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeOnFlush(front);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      closeOnFlush(ctx.channel());
    }
  }
}
