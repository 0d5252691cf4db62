package io.github.shredcache.netty;

import io.github.shredcache.core.SessionId;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/** Reads what the prefetch needs out of a ClientHello body; every read is bounds-checked. */
final class ClientHellos {
  private static final int EXT_SUPPORTED_VERSIONS = 43;

  private ClientHellos() {}

  /**
   * Returns the session ID a TLS 1.2 client asks to resume, or {@code null} if there is none, the
   * message is malformed, or the client offers TLS 1.3 while {@code tls13Enabled} (it will get a
   * TLS 1.3 full handshake, so the ID is only the middlebox-compatibility filler).
   *
   * @param hello the ClientHello body (after the 4-byte handshake header); not modified
   */
  static @Nullable SessionId resumableSessionId(ByteBuf hello, boolean tls13Enabled) {
    int p = hello.readerIndex();
    int end = hello.writerIndex();
    p += 2 + 32; // client_version, random
    if (p + 1 > end) {
      return null;
    }
    int idLen = hello.getUnsignedByte(p++);
    if (idLen == 0 || idLen > SessionId.MAX_LENGTH_BYTES || p + idLen > end) {
      return null;
    }
    int idStart = p;
    p += idLen;
    if (p + 2 > end) {
      return null;
    }
    int suitesLen = hello.getUnsignedShort(p);
    p += 2 + suitesLen;
    if (p + 1 > end) {
      return null;
    }
    int compLen = hello.getUnsignedByte(p);
    p += 1 + compLen;
    if (p > end) {
      return null;
    }
    if (tls13Enabled && p + 2 <= end) {
      int extLen = hello.getUnsignedShort(p);
      p += 2;
      int extEnd = p + extLen;
      if (extEnd > end) {
        return null;
      }
      while (p + 4 <= extEnd) {
        int type = hello.getUnsignedShort(p);
        int len = hello.getUnsignedShort(p + 2);
        p += 4;
        if (p + len > extEnd) {
          return null;
        }
        if (type == EXT_SUPPORTED_VERSIONS && len >= 1) {
          int listLen = hello.getUnsignedByte(p);
          for (int i = 1; i + 1 <= listLen && i + 1 < len; i += 2) {
            if (hello.getUnsignedShort(p + i) == 0x0304) {
              return null;
            }
          }
        }
        p += len;
      }
    }
    byte[] id = new byte[idLen];
    hello.getBytes(idStart, id);
    return SessionId.of(id);
  }
}
