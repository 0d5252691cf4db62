package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.testing.FakeClock;
import io.github.shredcache.testing.TestKeys;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.Arrays;
import javax.net.ssl.SSLException;

/**
 * Fuzzes the ClientHello session-ID parser of the prefetch handler, directly and through a real
 * pipeline ({@code ShredcacheSslContext.newHandler} on an {@link EmbeddedChannel}).
 *
 * <p>Regression inputs: {@code src/test/resources/io/github/shredcache/netty/ClientHelloFuzzTestInputs/}.
 * Fuzzing: {@code JAZZER_FUZZ=1 mvn -o test -pl netty-adapter
 * -Dtest=ClientHelloFuzzTest#sessionIdParserNeverThrows} (RELIABILITY.md).
 */
class ClientHelloFuzzTest {
  private static final ShredcacheSslContext SSL;
  private static final SessionCache CACHE;

  static {
    try {
      TestCertificate cert = TestPki.localhost();
      FakeClock clock = new FakeClock();
      // Synchronous executor: lookups complete on the calling (embedded event loop) thread.
      CACHE = TestKeys.cacheA(clock, new InMemorySessionStore(clock));
      SSL = ShredcacheSslContextBuilder.forServer(cert.certificateFile(), cert.privateKeyFile())
          .sessionCache(CACHE).build();
      cert.close();
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The parser itself: never throws, never moves the buffer, returns the bytes it claims. */
  @FuzzTest
  void sessionIdParserNeverThrows(FuzzedDataProvider data) {
    boolean tls13 = data.consumeBoolean();
    int skip = data.consumeInt(0, 8);
    byte[] body = data.consumeRemainingAsBytes();
    ByteBuf buf = Unpooled.wrappedBuffer(body);
    try {
      buf.readerIndex(Math.min(skip, body.length));
      int reader = buf.readerIndex();
      int writer = buf.writerIndex();
      SessionId id = ClientHellos.resumableSessionId(buf, tls13);
      assertThat(buf.readerIndex()).isEqualTo(reader);
      assertThat(buf.writerIndex()).isEqualTo(writer);
      if (id != null) {
        int len = body[reader + 34] & 0xFF;
        assertThat(id.lengthBytes()).isEqualTo(len).isBetween(1, SessionId.MAX_LENGTH_BYTES);
        assertThat(id.toByteArray())
            .isEqualTo(Arrays.copyOfRange(body, reader + 35, reader + 35 + len));
      }
    } finally {
      buf.release();
    }
  }

  /**
   * A handshake record with a fuzzed ClientHello body (or raw bytes) into the real pipeline: the
   * channel ends in a TLS alert or a decoder/SSL error, never another exception, and every
   * buffer is released.
   */
  @FuzzTest
  void pipelineRejectsGarbageCleanly(FuzzedDataProvider data) {
    boolean wrap = data.consumeBoolean();
    byte[] body = data.consumeRemainingAsBytes();
    ByteBuf in;
    if (wrap) {
      int hsLen = 4 + body.length;
      in = Unpooled.buffer(5 + hsLen);
      in.writeByte(22).writeShort(0x0301).writeShort(Math.min(hsLen, 0xFFFF));
      in.writeByte(1).writeMedium(body.length).writeBytes(body);
    } else {
      in = Unpooled.buffer(body.length + 1).writeBytes(body); // never the shared EMPTY_BUFFER
    }
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(SSL.newHandler(ch.alloc()));
    try {
      ch.writeInbound(in);
      ch.runPendingTasks();
      ch.checkException();
    } catch (Exception e) {
      // a fatal alert or a closed connection; nothing else
      assertThat(e).isInstanceOfAny(DecoderException.class, SSLException.class);
    } finally {
      ch.finishAndReleaseAll();
    }
    Object leftover;
    while ((leftover = ch.readInbound()) != null) {
      throw new AssertionError("garbage produced application data: " + leftover.getClass());
    }
    assertThat(in.refCnt()).as("the input buffer was released").isZero();
  }
}
