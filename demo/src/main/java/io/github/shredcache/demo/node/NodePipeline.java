package io.github.shredcache.demo.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's per-connection pipeline: TLS (from {@link NodeTls}), handshake accounting, HTTP/1.1
 * with keep-alive, and the page.
 *
 * <h3>The page ({@code GET /})</h3>
 *
 * Plain text, one {@code key: value} per line, stable for scripts:
 *
 * <pre>
 * node: node-a
 * engine: bc
 * protocol: TLSv1.2
 * cipher: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
 * handshake: resumed (shared store)
 * resumption: RESUMED_SHARED
 * </pre>
 *
 * {@code resumption} is one of {@code FULL}, {@code RESUMED_LOCAL}, {@code RESUMED_SHARED},
 * {@code RESUMED_TICKET} (see {@link Handshake}).
 */
final class NodePipeline extends ChannelInitializer<Channel> {
  static final AttributeKey<Handshake> HANDSHAKE = AttributeKey.valueOf("shredcache.handshake");
  private static final Logger log = LoggerFactory.getLogger(NodePipeline.class);
  private static final int MAX_REQUEST_BYTES = 16 * 1024;
  private static final int READ_TIMEOUT_SECONDS = 120;

  private final String nodeName;
  private final NodeTls tls;
  private final NodeMetrics metrics;
  private final ChannelGroup channels;

  NodePipeline(String nodeName, NodeTls tls, NodeMetrics metrics, ChannelGroup channels) {
    this.nodeName = nodeName;
    this.tls = tls;
    this.metrics = metrics;
    this.channels = channels;
  }

  @Override
  protected void initChannel(Channel ch) {
    channels.add(ch);
    metrics.connectionOpened();
    ch.closeFuture().addListener(f -> metrics.connectionClosed());
    ch.pipeline().addLast("timeout", new ReadTimeoutHandler(READ_TIMEOUT_SECONDS));
    ch.pipeline().addLast("ssl", tls.newHandler(ch.alloc()));
    ch.pipeline().addLast("handshake", new HandshakeHandler());
    ch.pipeline().addLast("http", new HttpServerCodec());
    ch.pipeline().addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES));
    ch.pipeline().addLast("keep-alive", new HttpServerKeepAliveHandler());
    ch.pipeline().addLast("page", new PageHandler());
  }

  /** Counts handshakes and remembers how this connection's went. One per channel. */
  private final class HandshakeHandler extends ChannelInboundHandlerAdapter {
    private final long startNanos = System.nanoTime();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent event) {
        if (event.isSuccess()) {
          SslHandler ssl = ctx.pipeline().get(SslHandler.class);
          Handshake how = tls.handshake(ssl.engine());
          ctx.channel().attr(HANDSHAKE).set(how);
          metrics.handshake(how, System.nanoTime() - startNanos);
        } else {
          metrics.handshakeFailed();
          if (log.isDebugEnabled()) {
            log.debug("handshake failed from {}: {}", ctx.channel().remoteAddress(), event.cause().toString());
          }
        }
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Failed handshakes surface here too; they are counted above. One line at debug, never more.
      if (log.isDebugEnabled()) {
        log.debug("connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
      }
      ctx.close();
    }
  }

  /** Answers {@code GET /} with the page; 404 elsewhere, 405 for other methods. */
  private final class PageHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      FullHttpResponse response;
      if (!request.decoderResult().isSuccess()) {
        response = text(request, HttpResponseStatus.BAD_REQUEST, "bad request\n");
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setKeepAlive(response, false);
      } else if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
        response = text(request, HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n");
      } else if (!"/".equals(new QueryStringDecoder(request.uri()).path())) {
        response = text(request, HttpResponseStatus.NOT_FOUND, "not found: the page is at /\n");
      } else {
        response = text(request, HttpResponseStatus.OK, page(ctx.channel()));
      }
      boolean close = !HttpUtil.isKeepAlive(response);
      var written = ctx.writeAndFlush(response);
      if (close) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (log.isDebugEnabled()) {
        log.debug("connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
      }
      ctx.close();
    }
  }

  private String page(Channel ch) {
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    SSLSession session = ssl.engine().getSession();
    Handshake how = ch.attr(HANDSHAKE).get();
    if (how == null) {
      how = Handshake.FULL;
    }
    return "node: " + nodeName + "\n"
        + "engine: " + tls.engine().label() + "\n"
        + "protocol: " + session.getProtocol() + "\n"
        + "cipher: " + session.getCipherSuite() + "\n"
        + "handshake: " + how.description() + "\n"
        + "resumption: " + how.name() + "\n";
  }

  private static FullHttpResponse text(FullHttpRequest request, HttpResponseStatus status, String body) {
    ByteBuf content = HttpMethod.HEAD.equals(request.method())
        ? Unpooled.EMPTY_BUFFER
        : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status, content);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.getBytes(StandardCharsets.UTF_8).length);
    return response;
  }
}
