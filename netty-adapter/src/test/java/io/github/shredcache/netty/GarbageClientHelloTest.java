package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Garbage and truncated ClientHellos through the real handler ({@code newHandler}: prefetch + TLS) on an
 * {@link EmbeddedChannel}: an alert or a close, never a hang, every buffer released (run with
 * paranoid leak detection).
 */
class GarbageClientHelloTest {
  static TestCertificate cert;
  static ShredcacheSslContext ssl;
  static MapSessionCache cache = new MapSessionCache();

  @BeforeAll
  static void setUp() throws Exception {
    cert = TestPki.localhost();
    ssl = ShredcacheSslContextBuilder.forServer(cert.certificateFile(), cert.privateKeyFile())
        .sessionCache(cache).build();
  }

  @AfterAll
  static void tearDown() {
    cert.close();
  }

  private static final class Events extends ChannelInboundHandlerAdapter {
    final List<Object> events = new ArrayList<>();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      events.add(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      events.add(cause);
    }

    boolean handshakeFailed() {
      return events.stream().anyMatch(e -> e instanceof SslHandshakeCompletionEvent
          && !((SslHandshakeCompletionEvent) e).isSuccess());
    }
  }

  private static Events channel(EmbeddedChannel ch) {
    ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
    Events events = new Events();
    ch.pipeline().addLast(events);
    return events;
  }

  /** The non-empty buffers written out. */
  private static List<ByteBuf> outbound(EmbeddedChannel ch) {
    List<ByteBuf> out = new ArrayList<>();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      if (b.isReadable()) {
        out.add(b);
      } else {
        b.release();
      }
    }
    return out;
  }

  private static void releaseAll(List<ByteBuf> bufs) {
    for (ByteBuf b : bufs) {
      b.release();
    }
  }

  @Test
  void plaintextHttpIsRejectedAndClosed() {
    EmbeddedChannel ch = new EmbeddedChannel();
    Events events = channel(ch);
    ByteBuf garbage = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
    try {
      ch.writeInbound(garbage);
    } catch (Exception expected) {
      // NotSslRecordException, as for any SslHandler
    }
    ch.runPendingTasks();
    assertThat(garbage.refCnt()).isZero();
    assertThat(ch.isOpen()).isFalse();
    assertThat(events.handshakeFailed()).isTrue();
    releaseAll(outbound(ch));
    ch.finishAndReleaseAll();
  }

  @Test
  void truncatedClientHelloThenEofFailsTheHandshake() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.2");
    EmbeddedChannel ch = new EmbeddedChannel();
    Events events = channel(ch);
    ByteBuf half = Unpooled.copiedBuffer(Arrays.copyOf(hello, hello.length / 2));
    ch.writeInbound(half);
    assertThat(ch.isOpen()).isTrue(); // waits for the rest
    ch.close();
    ch.runPendingTasks();
    assertThat(events.handshakeFailed()).isTrue();
    releaseAll(outbound(ch));
    ch.finishAndReleaseAll();
    assertThat(half.refCnt()).isZero();
  }

  @Test
  void malformedClientHelloIsClosed() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.2");
    // Session ID length 0x21 (33): illegal, and the rest of the message no longer parses.
    hello[5 + 4 + 2 + 32] = 0x21;
    EmbeddedChannel ch = new EmbeddedChannel();
    Events events = channel(ch);
    ByteBuf in = Unpooled.copiedBuffer(hello);
    try {
      ch.writeInbound(in);
    } catch (Exception expected) {
      // the SSLHandshakeException surfaces through the pipeline
    }
    ch.runPendingTasks();
    assertThat(in.refCnt()).isZero();
    List<ByteBuf> out = outbound(ch);
    try {
      // Bouncy Castle has no record version yet, so it closes without an alert; anything that
      // does go out must be an alert.
      for (ByteBuf b : out) {
        assertThat(b.getUnsignedByte(b.readerIndex())).isEqualTo((short) 21);
      }
    } finally {
      releaseAll(out);
    }
    assertThat(events.handshakeFailed()).isTrue();
    assertThat(ch.isOpen()).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void randomBytesInAHandshakeRecordGetAnAlertOrAClose() {
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < 200; i++) {
      int len = 1 + r.nextInt(300);
      byte[] body = new byte[len];
      r.nextBytes(body);
      body[0] = 1; // handshake type client_hello
      byte[] rec = new byte[5 + len];
      rec[0] = 22;
      rec[1] = 3;
      rec[2] = 3;
      rec[3] = (byte) (len >>> 8);
      rec[4] = (byte) len;
      System.arraycopy(body, 0, rec, 5, len);
      EmbeddedChannel ch = new EmbeddedChannel();
      channel(ch);
      ByteBuf in = Unpooled.copiedBuffer(rec);
      try {
        ch.writeInbound(in);
      } catch (Exception expected) {
        // alert raised
      }
      ch.runPendingTasks();
      ch.close();
      ch.runPendingTasks();
      assertThat(in.refCnt()).as("input released, case %s", i).isZero();
      releaseAll(outbound(ch));
      ch.finishAndReleaseAll();
      assertThat(ch.isOpen()).isFalse();
    }
  }
}
