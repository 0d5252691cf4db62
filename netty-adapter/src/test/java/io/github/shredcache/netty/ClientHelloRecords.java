package io.github.shredcache.netty;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/** Real ClientHello records (from the JDK's client engine) and ways to take them apart. */
final class ClientHelloRecords {
  private ClientHelloRecords() {}

  /**
   * A ClientHello record from the JDK's client engine with {@code protocols} enabled. With TLS 1.3
   * enabled it offers a random 32-byte session ID; with TLS 1.2 alone an empty one.
   */
  static byte[] jdk(String... protocols) throws Exception {
    SSLEngine client = SSLContext.getDefault().createSSLEngine("localhost", 443);
    client.setUseClientMode(true);
    client.setEnabledProtocols(protocols);
    ByteBuffer out = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
    client.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] b = new byte[out.remaining()];
    out.get(b);
    return b;
  }

  /** The session ID (legacy_session_id) a single-record ClientHello offers. */
  static byte[] sessionId(byte[] record) {
    int at = 5 + 4 + 2 + 32;
    return Arrays.copyOfRange(record, at + 1, at + 1 + (record[at] & 0xFF));
  }

  /** The same handshake message, re-framed as one handshake record per chunk ending at each cut. */
  static byte[] reframe(byte[] record, int... cuts) {
    byte[] msg = Arrays.copyOfRange(record, 5, record.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : msg.length;
      out.write(22);
      out.write(3);
      out.write(3);
      out.write((to - from) >>> 8);
      out.write(to - from);
      out.write(msg, from, to - from);
      from = to;
    }
    return out.toByteArray();
  }
}
