package io.github.shredcache.memcached;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The start-up check of one server, on its own short-lived blocking socket (binary protocol): if
 * credentials are given, one SASL PLAIN authentication, then one get of a probe key. It tells
 * apart what spymemcached cannot report: a server that rejects the credentials, one that demands
 * credentials, and one that has no SASL at all (all three otherwise look like a server that never
 * answers, and the store would silently miss forever). Runs on the thread that builds the store.
 */
final class StartupCheck {
  private static final int MAGIC_REQUEST = 0x80;
  private static final int MAGIC_RESPONSE = 0x81;
  private static final int OP_GET = 0x00;
  private static final int OP_SASL_AUTH = 0x21;
  private static final int STATUS_OK = 0x0000;
  private static final int STATUS_NOT_FOUND = 0x0001;
  private static final int STATUS_AUTH_ERROR = 0x0020;
  private static final int STATUS_UNKNOWN_COMMAND = 0x0081;

  /** What the check found. */
  enum Outcome {
    /** The server answered the probe get (after authenticating, if credentials were given). */
    OK,
    /** The server could not be reached or did not answer in time. */
    UNREACHABLE
  }

  private StartupCheck() {}

  /**
   * Checks {@code server}.
   *
   * @return {@link Outcome#OK} or {@link Outcome#UNREACHABLE}; detail of the latter in {@code
   *     problem[0]}
   * @throws IllegalStateException if the server rejected the credentials, requires credentials
   *     that were not given, or does not support SASL although credentials were given
   */
  static Outcome check(
      InetSocketAddress server,
      String serverName,
      @Nullable SaslPlainCredentials credentials,
      String probeKey,
      Duration timeout,
      String[] problem) {
    int timeoutMillis = (int) Math.max(1, timeout.toMillis());
    try (Socket socket = new Socket()) {
      socket.connect(server, timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      if (credentials != null) {
        byte[] plain = credentials.plainInitialResponse();
        byte[] request = request(OP_SASL_AUTH, "PLAIN".getBytes(StandardCharsets.US_ASCII), plain);
        Arrays.fill(plain, (byte) 0);
        try {
          out.write(request);
          out.flush();
        } finally {
          Arrays.fill(request, (byte) 0);
        }
        int status = readResponseStatus(in);
        if (status == STATUS_AUTH_ERROR) {
          throw new IllegalStateException(
              "memcached at " + serverName + " rejected the SASL credentials for user '"
                  + credentials.user() + "'; check --memcached-user/password");
        }
        if (status == STATUS_UNKNOWN_COMMAND) {
          throw new IllegalStateException(
              "memcached at " + serverName + " does not support SASL (not started with -S),"
                  + " but credentials were given; remove --memcached-user/password or start"
                  + " memcached with -S");
        }
        if (status != STATUS_OK) {
          throw new IllegalStateException(
              "memcached at " + serverName + " failed SASL authentication for user '"
                  + credentials.user() + "' with status 0x" + Integer.toHexString(status)
                  + "; check --memcached-user/password");
        }
      }
      out.write(request(OP_GET, probeKey.getBytes(StandardCharsets.US_ASCII), new byte[0]));
      out.flush();
      int status = readResponseStatus(in);
      if (status == STATUS_OK || status == STATUS_NOT_FOUND) {
        return Outcome.OK;
      }
      if (status == STATUS_AUTH_ERROR) {
        throw new IllegalStateException(
            "memcached at " + serverName + " requires SASL authentication; set"
                + " --memcached-user/password");
      }
      problem[0] = "probe get answered with status 0x" + Integer.toHexString(status);
      return Outcome.UNREACHABLE;
    } catch (IOException e) {
      problem[0] = e.toString();
      return Outcome.UNREACHABLE;
    }
  }

  /** Returns the PLAIN initial response {@code \0user\0password} in UTF-8; the caller zeroes it. */
  static byte[] plainInitialResponse(String user, char[] password) {
    byte[] userBytes = user.getBytes(StandardCharsets.UTF_8);
    CharsetEncoder encoder =
        StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer encoded;
    try {
      encoded = encoder.encode(CharBuffer.wrap(password));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("memcached SASL password is not valid UTF-16 text");
    }
    byte[] out = new byte[2 + userBytes.length + encoded.remaining()];
    out[0] = 0;
    System.arraycopy(userBytes, 0, out, 1, userBytes.length);
    out[1 + userBytes.length] = 0;
    encoded.get(out, 2 + userBytes.length, encoded.remaining());
    encoded.clear();
    while (encoded.hasRemaining()) {
      encoded.put((byte) 0); // zero the encoder's copy
    }
    return out;
  }

  private static byte[] request(int opcode, byte[] key, byte[] value) {
    int body = key.length + value.length;
    ByteBuffer b = ByteBuffer.allocate(24 + body);
    b.put((byte) MAGIC_REQUEST).put((byte) opcode).putShort((short) key.length);
    b.put((byte) 0).put((byte) 0).putShort((short) 0); // extras length, data type, vbucket
    b.putInt(body).putInt(0).putLong(0); // total body, opaque, cas
    b.put(key).put(value);
    return b.array();
  }

  private static int readResponseStatus(DataInputStream in) throws IOException {
    byte[] header = new byte[24];
    in.readFully(header);
    if ((header[0] & 0xff) != MAGIC_RESPONSE) {
      throw new IOException("not a memcached binary protocol response");
    }
    ByteBuffer h = ByteBuffer.wrap(header);
    int status = h.getShort(6) & 0xffff;
    int bodyLength = h.getInt(8);
    if (bodyLength < 0 || bodyLength > 1 << 20) {
      throw new IOException("implausible response body length " + bodyLength);
    }
    in.skipNBytes(bodyLength);
    return status;
  }
}
