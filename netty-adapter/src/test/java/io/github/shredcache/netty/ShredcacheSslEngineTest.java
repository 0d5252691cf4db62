package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.testing.tls.TestCertificate;
import io.github.shredcache.testing.tls.TestPki;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine alone: statuses, alerts and closing, driven by hand. */
class ShredcacheSslEngineTest {
  static TestCertificate cert;
  static ShredcacheSslContext ssl;

  @BeforeAll
  static void setUp() throws Exception {
    cert = TestPki.localhost();
    ssl = ShredcacheSslContextBuilder.forServer(cert.certificateFile(), cert.privateKeyFile()).build();
  }

  @AfterAll
  static void tearDown() {
    cert.close();
  }

  private static ByteBuffer buf(byte[] b) {
    return ByteBuffer.wrap(b);
  }

  @Test
  void malformedClientHelloThrowsThenTheEngineIsClosed() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.2");
    hello[5 + 4 + 2 + 32] = 0x21;
    SSLEngine engine = ssl.newEngine(ByteBufAllocator.DEFAULT);
    ByteBuffer app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    assertThatThrownBy(() -> engine.unwrap(buf(hello), app)).isInstanceOf(SSLException.class);
    ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), net);
    // Bouncy Castle cannot send an alert before it chose a record version: a malformed first
    // ClientHello is answered by closing, later failures by a fatal alert.
    assertThat(r.getStatus()).isEqualTo(Status.CLOSED);
    assertThat(r.bytesProduced()).isZero();
    assertThat(engine.isOutboundDone()).isTrue();
    assertThat(engine.isInboundDone()).isTrue();
  }

  @Test
  void partialRecordIsUnderflowAndNotConsumed() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.2");
    SSLEngine engine = ssl.newEngine(ByteBufAllocator.DEFAULT);
    ByteBuffer in = ByteBuffer.wrap(hello, 0, hello.length - 1);
    SSLEngineResult r = engine.unwrap(in, ByteBuffer.allocate(20000));
    assertThat(r.getStatus()).isEqualTo(Status.BUFFER_UNDERFLOW);
    assertThat(r.bytesConsumed()).isZero();
    assertThat(in.position()).isZero();
  }

  @Test
  void clientHelloLeadsToNeedWrapThenServerFlight() throws Exception {
    byte[] hello = ClientHelloRecords.jdk("TLSv1.2");
    SSLEngine engine = ssl.newEngine(ByteBufAllocator.DEFAULT);
    assertThat(engine.getHandshakeStatus()).isEqualTo(HandshakeStatus.NOT_HANDSHAKING);
    SSLEngineResult r = engine.unwrap(buf(hello), ByteBuffer.allocate(20000));
    assertThat(r.getStatus()).isEqualTo(Status.OK);
    assertThat(r.bytesConsumed()).isEqualTo(hello.length);
    assertThat(r.getHandshakeStatus()).isEqualTo(HandshakeStatus.NEED_WRAP);
    ByteBuffer small = ByteBuffer.allocate(0);
    assertThat(engine.wrap(ByteBuffer.allocate(0), small).getStatus())
        .isEqualTo(Status.BUFFER_OVERFLOW);
    ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    r = engine.wrap(ByteBuffer.allocate(0), net);
    assertThat(r.getStatus()).isEqualTo(Status.OK);
    assertThat(r.bytesProduced()).isPositive();
    assertThat(net.get(0)).isEqualTo((byte) 22); // ServerHello...
    assertThat(r.getHandshakeStatus()).isEqualTo(HandshakeStatus.NEED_UNWRAP);
    engine.closeOutbound();
    assertThat(engine.getHandshakeStatus()).isEqualTo(HandshakeStatus.NEED_WRAP);
    net.clear();
    r = engine.wrap(ByteBuffer.allocate(0), net);
    assertThat(r.getStatus()).isEqualTo(Status.CLOSED);
    assertThat(net.get(0)).isEqualTo((byte) 21); // user_canceled / close_notify
    assertThat(engine.isOutboundDone()).isTrue();
  }

  @Test
  void clientModeIsRefused() {
    SSLEngine engine = ssl.newEngine(ByteBufAllocator.DEFAULT);
    assertThatThrownBy(() -> engine.setUseClientMode(true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(engine.getDelegatedTask()).isNull();
    assertThat(engine.getSession().getProtocol()).isEqualTo("NONE");
  }
}
