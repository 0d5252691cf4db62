package io.github.shredcache.netty;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The byte format of one TLS 1.2 server session, as handed to the {@code SessionCache} (which
 * seals it before it leaves the node). Parse and serialize only; every length is checked.
 *
 * <h3>Layout (version 2)</h3>
 *
 * <pre>
 * version(1) = 2
 * protocol major(1) minor(1)         3 3 (TLS 1.2)
 * cipher suite(2)
 * compression(1)                     0 (null)
 * flags(1)                           bit 0: extended master secret
 * context binding(32)                {@link ResumptionContext#bind}: server configuration and name
 * master secret length(1) | bytes    48
 * peer certificates count(1) | { length(3) | DER }*     0 unless client authentication
 * server extensions count(1) | { type(2) | length(2) | data }*
 * </pre>
 *
 * <p>Version 1 (no context binding) no longer decodes: such entries are a full handshake.
 *
 * <p>A {@link Decoded} owns the master secret copy; callers {@link Decoded#destroy()} it.
 */
final class SessionCodec {
  static final int VERSION = 2;
  static final int BINDING_BYTES = ResumptionContext.SIZE_BYTES;
  static final int MASTER_SECRET_BYTES = 48;
  private static final int MAX_CERTS = 10;
  private static final int MAX_EXTENSIONS = 32;

  private SessionCodec() {}

  /** A decoded session; holds the master secret, so destroy it when done. */
  static final class Decoded {
    final int major;
    final int minor;
    final int cipherSuite;
    final boolean extendedMasterSecret;
    /** The {@link ResumptionContext#bind} value the session was made under (not secret). */
    final byte[] binding;
    final byte[] masterSecret;
    final List<byte[]> peerCertificates;
    final Hashtable<Integer, byte[]> serverExtensions;

    Decoded(int major, int minor, int cipherSuite, boolean ems, byte[] binding,
        byte[] masterSecret, List<byte[]> peerCertificates,
        Hashtable<Integer, byte[]> serverExtensions) {
      this.major = major;
      this.minor = minor;
      this.cipherSuite = cipherSuite;
      this.extendedMasterSecret = ems;
      this.binding = binding;
      this.masterSecret = masterSecret;
      this.peerCertificates = peerCertificates;
      this.serverExtensions = serverExtensions;
    }

    void destroy() {
      Arrays.fill(masterSecret, (byte) 0);
    }

    @Override
    public String toString() {
      return "SessionCodec.Decoded[redacted]";
    }
  }

  /**
   * Encodes a session. The caller keeps ownership of {@code masterSecret}; the returned array holds
   * a copy of it and is owned by the caller (zero it when done).
   */
  static byte[] encode(int major, int minor, int cipherSuite, boolean ems, byte[] binding,
      byte[] masterSecret, List<byte[]> peerCertificates, Hashtable<?, ?> serverExtensions)
      throws IOException {
    if (masterSecret.length != MASTER_SECRET_BYTES) {
      throw new IOException("master secret must be 48 bytes");
    }
    if (binding.length != BINDING_BYTES) {
      throw new IOException("context binding must be " + BINDING_BYTES + " bytes");
    }
    List<byte[]> certs = peerCertificates == null ? List.of() : peerCertificates;
    if (certs.size() > MAX_CERTS) {
      throw new IOException("too many peer certificates: " + certs.size());
    }
    int extCount = serverExtensions == null ? 0 : serverExtensions.size();
    if (extCount > MAX_EXTENSIONS) {
      throw new IOException("too many server extensions: " + extCount);
    }
    int size = 8 + BINDING_BYTES + MASTER_SECRET_BYTES + 1 + 1;
    for (byte[] c : certs) {
      size += 3 + c.length;
    }
    if (serverExtensions != null) {
      for (Object v : serverExtensions.values()) {
        size += 4 + ((byte[]) v).length;
      }
    }
    byte[] out = new byte[size];
    int p = 0;
    out[p++] = (byte) VERSION;
    out[p++] = (byte) major;
    out[p++] = (byte) minor;
    out[p++] = (byte) (cipherSuite >>> 8);
    out[p++] = (byte) cipherSuite;
    out[p++] = 0;
    out[p++] = (byte) (ems ? 1 : 0);
    System.arraycopy(binding, 0, out, p, BINDING_BYTES);
    p += BINDING_BYTES;
    out[p++] = (byte) MASTER_SECRET_BYTES;
    System.arraycopy(masterSecret, 0, out, p, MASTER_SECRET_BYTES);
    p += MASTER_SECRET_BYTES;
    out[p++] = (byte) certs.size();
    for (byte[] c : certs) {
      if (c.length > 0xFFFFFF) {
        throw new IOException("certificate too long");
      }
      out[p++] = (byte) (c.length >>> 16);
      out[p++] = (byte) (c.length >>> 8);
      out[p++] = (byte) c.length;
      System.arraycopy(c, 0, out, p, c.length);
      p += c.length;
    }
    out[p++] = (byte) extCount;
    if (serverExtensions != null) {
      Enumeration<?> keys = serverExtensions.keys();
      while (keys.hasMoreElements()) {
        Integer type = (Integer) keys.nextElement();
        // A Hashtable holds no null values.
        byte[] data = (byte[]) Objects.requireNonNull(serverExtensions.get(type));
        if (type < 0 || type > 0xFFFF || data.length > 0xFFFF) {
          throw new IOException("bad server extension");
        }
        out[p++] = (byte) (type >>> 8);
        out[p++] = (byte) (int) type;
        out[p++] = (byte) (data.length >>> 8);
        out[p++] = (byte) data.length;
        System.arraycopy(data, 0, out, p, data.length);
        p += data.length;
      }
    }
    if (p != out.length) {
      throw new IllegalStateException("size mismatch");
    }
    return out;
  }

  /** Decodes; throws {@link IOException} (never anything else) on any malformed input. */
  static Decoded decode(byte[] in) throws IOException {
    Reader r = new Reader(in);
    int version = r.u8();
    if (version != VERSION) {
      throw new IOException("unknown session format version " + version);
    }
    int major = r.u8();
    int minor = r.u8();
    int suite = r.u16();
    int compression = r.u8();
    if (compression != 0) {
      throw new IOException("unsupported compression");
    }
    int flags = r.u8();
    if ((flags & ~1) != 0) {
      throw new IOException("unknown flags");
    }
    byte[] binding = r.bytes(BINDING_BYTES);
    int msLen = r.u8();
    if (msLen != MASTER_SECRET_BYTES) {
      throw new IOException("bad master secret length");
    }
    byte[] ms = r.bytes(msLen);
    try {
      int certCount = r.u8();
      if (certCount > MAX_CERTS) {
        throw new IOException("too many certificates");
      }
      List<byte[]> certs = new ArrayList<>(certCount);
      for (int i = 0; i < certCount; i++) {
        certs.add(r.bytes(r.u24()));
      }
      int extCount = r.u8();
      if (extCount > MAX_EXTENSIONS) {
        throw new IOException("too many extensions");
      }
      Hashtable<Integer, byte[]> exts = new Hashtable<>();
      for (int i = 0; i < extCount; i++) {
        int type = r.u16();
        byte[] data = r.bytes(r.u16());
        if (exts.put(type, data) != null) {
          throw new IOException("duplicate extension");
        }
      }
      if (r.remaining() != 0) {
        throw new IOException("trailing bytes");
      }
      return new Decoded(major, minor, suite, (flags & 1) != 0, binding, ms, certs, exts);
    } catch (IOException | RuntimeException e) {
      Arrays.fill(ms, (byte) 0);
      throw e instanceof IOException ? (IOException) e : new IOException("malformed session", e);
    }
  }

  private static final class Reader {
    private final byte[] b;
    private int p;

    Reader(byte[] b) {
      this.b = b;
    }

    int remaining() {
      return b.length - p;
    }

    private void need(int n) throws IOException {
      if (n < 0 || b.length - p < n) {
        throw new IOException("truncated session");
      }
    }

    int u8() throws IOException {
      need(1);
      return b[p++] & 0xFF;
    }

    int u16() throws IOException {
      need(2);
      int v = (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
      p += 2;
      return v;
    }

    int u24() throws IOException {
      need(3);
      int v = (b[p] & 0xFF) << 16 | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF);
      p += 3;
      return v;
    }

    byte[] bytes(int n) throws IOException {
      need(n);
      byte[] out = Arrays.copyOfRange(b, p, p + n);
      p += n;
      return out;
    }
  }
}
