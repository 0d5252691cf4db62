package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.core.CacheStats;
import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.github.shredcache.core.SessionState;
import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ClientHello prefetch of the handler {@code newHandler} returns, and of the engine {@code
 * newEngine} returns inside a plain {@link SslHandler}, on an {@link EmbeddedChannel}: what is
 * held, when the engine gets it, and that held bytes are released. The lookups are answered by
 * the test, so "held" is observable: no ServerHello goes out before.
 */
class ShredcacheSslHandlerTest {
  static TestCertificate cert;

  /** A session cache whose lookups stay pending until the test completes them. */
  static final class PendingLookups implements SessionCache {
    final MapSessionCache map = new MapSessionCache();
    final List<SessionId> looked = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<LookupResult>> pending = new CopyOnWriteArrayList<>();

    @Override
    public java.time.Duration maxSessionLifetime() {
      return map.maxSessionLifetime();
    }

    @Override
    public CompletableFuture<LookupResult> lookup(SessionId id) {
      looked.add(id);
      CompletableFuture<LookupResult> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    }

    @Override
    public void put(SessionId id, byte[] state, Instant expiresAt) {
      map.put(id, state, expiresAt);
    }

    @Override
    public Optional<SessionState> peek(SessionId id) {
      return map.peek(id);
    }

    @Override
    public CompletableFuture<Boolean> invalidate(SessionId id) {
      return map.invalidate(id);
    }

    @Override
    public CacheStats stats() {
      return map.stats();
    }

    @Override
    public void close() {
      map.close();
    }
  }

  private final PendingLookups cache = new PendingLookups();
  private final List<ByteBuf> inputs = new ArrayList<>();

  @BeforeAll
  static void certs() throws Exception {
    cert = TestPki.localhost();
  }

  @AfterAll
  static void deleteCerts() {
    cert.close();
  }

  @AfterEach
  void everyInputReleased() {
    for (ByteBuf b : inputs) {
      assertThat(b.refCnt()).as("input buffer released").isZero();
    }
  }

  /** A TLS 1.2-only server unless {@code protocols} say otherwise; 10 s prefetch timeout. */
  private ShredcacheSslContext context(Duration timeout, String... protocols) throws Exception {
    ShredcacheSslContextBuilder b = ShredcacheSslContextBuilder
        .forServer(cert.certificateFile(), cert.privateKeyFile())
        .sessionCache(cache)
        .prefetchBackstop(timeout);
    b.protocols(protocols.length == 0 ? new String[] {"TLSv1.2"} : protocols);
    return b.build();
  }

  private ByteBuf input(byte[] bytes, int from, int to) {
    ByteBuf b = Unpooled.copiedBuffer(bytes, from, to - from);
    inputs.add(b);
    return b;
  }

  /** Drains what the channel wrote; returns the non-empty buffers' bytes, all released. */
  private static byte[] written(EmbeddedChannel ch) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      byte[] bytes = new byte[b.readableBytes()];
      b.readBytes(bytes);
      b.release();
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }

  private static boolean isServerHello(byte[] out) {
    return out.length > 9 && out[0] == 22 && out[5] == 2;
  }

  @Test
  void helloSplitOverSegmentsAndRecordsIsHeldUntilTheLookupCompletes() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.3", "TLSv1.2"); // offers a 32-byte session ID
    // Three records, the first only two bytes of the handshake header; then one byte per read.
    byte[] wire = ClientHelloRecords.reframe(hello, 2, 50);
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast(context(Duration.ofSeconds(10)).newHandler(ch.alloc()));
    for (int i = 0; i < wire.length; i++) {
      ch.writeInbound(input(wire, i, i + 1));
      if (i < wire.length - 1) {
        assertThat(cache.looked).as("looked up before the hello was complete").isEmpty();
      }
    }
    assertThat(cache.looked).hasSize(1);
    assertThat(cache.looked.get(0).toByteArray()).isEqualTo(ClientHelloRecords.sessionId(hello)).hasSize(32);
    ch.runPendingTasks();
    assertThat(written(ch)).as("engine fed before the lookup completed").isEmpty();

    cache.pending.get(0).complete(LookupResult.MISS);
    ch.runPendingTasks();
    assertThat(isServerHello(written(ch))).as("ServerHello after the lookup").isTrue();
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void aPlainSslHandlerAroundNewEngineWaitsForTheLookupToo() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.3", "TLSv1.2");
    byte[] wire = ClientHelloRecords.reframe(hello, 2, 50);
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    SslHandler handler = new SslHandler(context(Duration.ofSeconds(10)).newEngine(ch.alloc()));
    ch.pipeline().addLast(handler);
    ch.writeInbound(input(wire, 0, 9));
    ch.writeInbound(input(wire, 9, wire.length));
    assertThat(cache.looked).hasSize(1);
    assertThat(cache.looked.get(0).toByteArray())
        .isEqualTo(ClientHelloRecords.sessionId(hello));
    ch.runPendingTasks();
    assertThat(written(ch)).as("engine went on before the lookup completed").isEmpty();

    cache.pending.get(0).complete(LookupResult.MISS);
    ch.runPendingTasks();
    assertThat(isServerHello(written(ch))).as("ServerHello after the lookup").isTrue();
    assertThat(ch.isOpen()).isTrue();
    assertThat(handler.handshakeFuture().isDone()).isFalse(); // waits for the client's reply
    ch.finishAndReleaseAll();
  }

  @Test
  void closingWhileAStandaloneEngineWaitsDoesNotPassForAHandshake() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.3", "TLSv1.2");
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    SslHandler handler = new SslHandler(context(Duration.ofSeconds(10)).newEngine(ch.alloc()));
    ch.pipeline().addLast(handler);
    ch.writeInbound(input(hello, 0, hello.length));
    ch.close();
    // The lookup ends after the close: the handler is not resumed over a closed engine (Netty
    // would take its NOT_HANDSHAKING for success). On a real event loop the handler's
    // close-notify timeout then closes the channel; EmbeddedChannel cancels that timer on close.
    cache.pending.get(0).complete(LookupResult.MISS);
    ch.runPendingTasks();
    ch.checkException();
    assertThat(handler.handshakeFuture().isSuccess()).as("no handshake happened").isFalse();
    assertThat(isServerHello(written(ch))).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void theTimeoutFeedsTheEngineWithoutTheStoresAnswer() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.3", "TLSv1.2");
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast(context(Duration.ofMillis(50)).newHandler(ch.alloc()));
    ch.writeInbound(input(hello, 0, hello.length));
    assertThat(cache.looked).hasSize(1);
    ch.advanceTimeBy(49, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(written(ch)).isEmpty();
    ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    assertThat(isServerHello(written(ch))).isTrue();
    // The late answer changes nothing.
    cache.pending.get(0).complete(LookupResult.STORE_HIT);
    ch.runPendingTasks();
    assertThat(written(ch)).isEmpty();
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void closingWhileTheLookupRunsReleasesTheHeldBytes() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.3", "TLSv1.2");
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast(context(Duration.ofSeconds(10)).newHandler(ch.alloc()));
    ByteBuf in = input(hello, 0, hello.length);
    ch.writeInbound(in);
    assertThat(in.refCnt()).as("held").isEqualTo(1);
    ch.close();
    assertThat(in.refCnt()).isZero();
    cache.pending.get(0).complete(LookupResult.MISS);
    ch.runPendingTasks();
    ch.checkException();
    assertThat(written(ch)).isEmpty();
    ch.finishAndReleaseAll();
  }

  @Test
  void removingTheHandlerWhileTheLookupRunsReleasesTheHeldBytes() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.3", "TLSv1.2");
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    SslHandler handler = context(Duration.ofSeconds(10)).newHandler(ch.alloc());
    ch.pipeline().addLast(handler);
    ByteBuf in = input(hello, 0, hello.length);
    ch.writeInbound(in);
    ch.pipeline().remove(handler);
    assertThat(in.refCnt()).isZero();
    assertThat(handler.handshakeFuture().isDone()).isTrue();
    cache.pending.get(0).complete(LookupResult.MISS);
    ch.runPendingTasks();
    written(ch);
    ch.finishAndReleaseAll();
  }

  @Test
  void withAutoReadOffItAsksForTheRestAndReadsOnAfterFeeding() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.3", "TLSv1.2");
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.config().setAutoRead(false);
    AtomicInteger reads = new AtomicInteger();
    ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
      @Override
      public void read(ChannelHandlerContext ctx) {
        reads.incrementAndGet();
        ctx.read();
      }
    });
    ch.pipeline().addLast(context(Duration.ofSeconds(10)).newHandler(ch.alloc()));
    ch.writeInbound(input(hello, 0, 20));
    assertThat(reads.get()).as("read() for the rest of the ClientHello").isEqualTo(1);
    ch.writeInbound(input(hello, 20, hello.length));
    int before = reads.get();
    cache.pending.get(0).complete(LookupResult.MISS);
    ch.runPendingTasks();
    assertThat(isServerHello(written(ch))).isTrue();
    assertThat(reads.get()).as("read() for the client's next flight").isGreaterThan(before);
    ch.finishAndReleaseAll();
  }

  @Test
  void startTlsSendsTheFirstMessageInTheClearAndStillPrefetches() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.3", "TLSv1.2");
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    SslHandler handler = context(Duration.ofSeconds(10)).newHandler(ch.alloc(), true);
    ch.pipeline().addLast(handler);
    ch.writeOutbound(Unpooled.copiedBuffer("220 go ahead\r\n".getBytes()));
    assertThat(new String(written(ch))).isEqualTo("220 go ahead\r\n");
    ch.writeInbound(input(hello, 0, hello.length));
    assertThat(cache.looked).hasSize(1);
    assertThat(written(ch)).isEmpty();
    cache.pending.get(0).complete(LookupResult.MISS);
    ch.runPendingTasks();
    assertThat(isServerHello(written(ch))).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void helloWithoutASessionIdOrOfferingTls13IsNotHeld() throws Exception {
    // TLS 1.2 only: the JDK offers an empty session ID.
    byte[] noId = ClientHelloRecords.jdk("TLSv1.2");
    assertThat(ClientHelloRecords.sessionId(noId)).isEmpty();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(context(Duration.ofSeconds(10)).newHandler(ch.alloc()));
    ch.writeInbound(input(noId, 0, noId.length));
    assertThat(isServerHello(written(ch))).isTrue();
    ch.finishAndReleaseAll();

    // A TLS 1.3 offer to a TLS 1.3 server: its session ID is only filler.
    byte[] tls13 = ClientHelloRecords.jdk("TLSv1.3", "TLSv1.2");
    EmbeddedChannel ch13 = new EmbeddedChannel();
    ch13.pipeline().addLast(context(Duration.ofSeconds(10), "TLSv1.3", "TLSv1.2")
        .newHandler(ch13.alloc()));
    ch13.writeInbound(input(tls13, 0, tls13.length));
    assertThat(isServerHello(written(ch13))).isTrue();
    ch13.finishAndReleaseAll();
    assertThat(cache.looked).isEmpty();
  }

  @Test
  void hugeOrGarbageFirstRecordsGoToTheEngineAtOnce() throws Exception {
    byte[][] cases = {
      // a record longer than TLS allows
      {22, 3, 3, (byte) 0xFF, (byte) 0xFF, 1, 0, 0, 1},
      // a ClientHello claiming 16 MiB
      {22, 3, 3, 0, 4, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
      // not a ClientHello (ServerHello type)
      {22, 3, 3, 0, 4, 2, 0, 0, 0},
      // application data first
      {23, 3, 3, 0, 1, 0},
    };
    for (byte[] c : cases) {
      EmbeddedChannel ch = new EmbeddedChannel();
      ch.freezeTime();
      SslHandler handler = context(Duration.ofSeconds(10)).newHandler(ch.alloc());
      ch.pipeline().addLast(handler);
      try {
        ch.writeInbound(input(c, 0, c.length));
        ch.runPendingTasks();
        ch.checkException();
      } catch (Exception expected) {
        // the engine's alert surfaces as a decoder/SSL exception
      }
      byte[] out = written(ch);
      // Either the engine answered (an alert, never a ServerHello) or it waits for the rest of
      // a record it was given; in both cases nothing is held back for a lookup.
      assertThat(isServerHello(out)).isFalse();
      if (out.length > 0) {
        assertThat(out[0]).as("alert").isEqualTo((byte) 21);
      }
      ch.finishAndReleaseAll();
    }
    assertThat(cache.looked).isEmpty();
  }

  @Test
  void moreThanTheBoundIsNotHeld() throws Exception {
    // A valid-looking record header for a ClientHello whose body never completes, then more
    // handshake records than the bound: the handler stops holding and the engine decides.
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast(context(Duration.ofSeconds(10)).newHandler(ch.alloc()));
    byte[] start = {22, 3, 3, 0, 4, 1, 0, (byte) 0x7F, (byte) 0xFF}; // body of 32767 bytes
    ch.writeInbound(input(start, 0, start.length));
    assertThat(written(ch)).isEmpty();
    byte[] filler = new byte[5 + 16384];
    filler[0] = 22;
    filler[1] = 3;
    filler[2] = 3;
    filler[3] = 0x40;
    try {
      ch.writeInbound(input(filler, 0, filler.length));
      ch.writeInbound(input(filler, 0, filler.length));
      ch.writeInbound(input(filler, 0, filler.length));
      ch.runPendingTasks();
      ch.checkException();
    } catch (Exception expected) {
      // the engine rejects the malformed ClientHello
    }
    assertThat(cache.looked).isEmpty();
    written(ch);
    ch.finishAndReleaseAll();
  }
}
