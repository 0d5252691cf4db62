package io.github.shredcache.netty;

import io.github.shredcache.core.LookupResult;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The ClientHello prefetch shared by {@link ShredcacheSslHandler} (which holds the first bytes in
 * the pipeline) and {@link ShredcacheSslEngine} (which holds them inside the engine when a
 * framework wraps {@code newEngine} in an {@code SslHandler} of its own): reassemble the
 * ClientHello, pick the session ID worth a lookup, start the lookup.
 */
final class Prefetch {
  /** The most bytes held back while waiting for the lookup; beyond that, feed the engine. */
  static final int MAX_HELD_BYTES = 32 * 1024;
  /** Largest record on the wire (RFC 5246: 2^14 + 2048). */
  private static final int MAX_RECORD_LENGTH = (1 << 14) + 2048;
  private static final int RECORD_HEADER = 5;
  private static final int HANDSHAKE_HEADER = 4;
  private static final int CONTENT_HANDSHAKE = 22;
  private static final int CLIENT_HELLO = 1;

  private Prefetch() {}

  /**
   * Starts the lookup of the session a complete ClientHello body offers.
   *
   * @return the pending lookup, or {@code null} if the engine should get the ClientHello now: no
   *     cache, no resumable session ID, a TLS 1.3 offer, a lookup that already completed, or an error (the
   *     cache never fails a connection)
   */
  static @Nullable CompletableFuture<LookupResult> start(@Nullable SessionCache cache,
      byte[] body, boolean tls13Enabled) {
    if (cache == null) {
      return null;
    }
    SessionId id = ClientHellos.resumableSessionId(Unpooled.wrappedBuffer(body), tls13Enabled);
    if (id == null) {
      return null;
    }
    CompletableFuture<LookupResult> lookup;
    try {
      lookup = cache.lookup(id);
    } catch (RuntimeException e) {
      return null;
    }
    return lookup.isDone() ? null : lookup;
  }

  /** {@link #clientHelloBody}'s answer for bytes that are not a ClientHello we hold for. */
  static final byte[] NOT_A_CLIENT_HELLO = new byte[0];

  /**
   * Reassembles the ClientHello body (after its 4-byte handshake header) from the handshake
   * records at the start of {@code in}, which is not modified. The message may span records and
   * a record may span reads.
   *
   * @return the body; {@code null} if more bytes are needed; {@link #NOT_A_CLIENT_HELLO} if the
   *     bytes are not a TLS ClientHello within the bounds we hold
   */
  static byte @Nullable [] clientHelloBody(ByteBuf in) {
    int p = in.readerIndex();
    int end = in.writerIndex();
    byte[] header = new byte[HANDSHAKE_HEADER];
    int headerHave = 0;
    byte[] body = null; // allocated once the handshake header is complete
    int bodyHave = 0;
    while (end - p >= RECORD_HEADER) {
      int type = in.getUnsignedByte(p);
      int major = in.getUnsignedByte(p + 1);
      int len = in.getUnsignedShort(p + 3);
      if (type != CONTENT_HANDSHAKE || major != 3 || len == 0 || len > MAX_RECORD_LENGTH) {
        return NOT_A_CLIENT_HELLO;
      }
      if (end - p - RECORD_HEADER < len) {
        return null;
      }
      int f = p + RECORD_HEADER;
      int fragmentEnd = f + len;
      p = fragmentEnd;
      while (f < fragmentEnd) {
        if (body == null) {
          header[headerHave++] = in.getByte(f++);
          if (headerHave == HANDSHAKE_HEADER) {
            int bodyLen = (header[1] & 0xFF) << 16 | (header[2] & 0xFF) << 8 | (header[3] & 0xFF);
            if (header[0] != CLIENT_HELLO || bodyLen == 0 || bodyLen > MAX_HELD_BYTES) {
              return NOT_A_CLIENT_HELLO;
            }
            body = new byte[bodyLen];
          }
          continue;
        }
        int k = Math.min(fragmentEnd - f, body.length - bodyHave);
        in.getBytes(f, body, bodyHave, k);
        bodyHave += k;
        f += k;
        if (bodyHave == body.length) {
          return body;
        }
      }
    }
    return null;
  }
}
