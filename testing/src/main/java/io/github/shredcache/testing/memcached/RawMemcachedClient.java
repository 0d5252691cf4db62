package io.github.shredcache.testing.memcached;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A tiny blocking memcached text-protocol client for tests: plant exact bytes under a key, read
 * them back with their flags, list every key a server holds ({@code lru_crawler metadump all}) and
 * read {@code stats}. It goes around the store under test on purpose, so tests can put garbage
 * where the store expects its own entries and check what the store really wrote.
 *
 * <p>One connection per instance, 5 s socket timeouts; not thread-safe; close it.
 */
public final class RawMemcachedClient implements AutoCloseable {
  private static final int TIMEOUT_MILLIS = 5_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** Connects to {@code address}. */
  public RawMemcachedClient(InetSocketAddress address) {
    try {
      socket = new Socket();
      socket.connect(address, TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      socket.setTcpNoDelay(true);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to memcached at " + address, e);
    }
  }

  /** A stored item as read back: its bytes and its memcached flags. */
  public static final class Item {
    private final byte[] value;
    private final long flags;

    Item(byte[] value, long flags) {
      this.value = value;
      this.flags = flags;
    }

    /** Returns the stored bytes (the caller owns the array). */
    public byte[] value() {
      return value;
    }

    /** Returns the stored flags. */
    public long flags() {
      return flags;
    }
  }

  /** A key as listed by {@code lru_crawler metadump}, with its absolute expiry and size. */
  public static final class KeyInfo {
    private final String key;
    private final long expiresAtUnixSeconds;
    private final int sizeBytes;

    KeyInfo(String key, long expiresAtUnixSeconds, int sizeBytes) {
      this.key = key;
      this.expiresAtUnixSeconds = expiresAtUnixSeconds;
      this.sizeBytes = sizeBytes;
    }

    /** Returns the key. */
    public String key() {
      return key;
    }

    /** Returns the absolute expiry in Unix seconds, or -1 for "never". */
    public long expiresAtUnixSeconds() {
      return expiresAtUnixSeconds;
    }

    /** Returns memcached's item size (key, value and overhead), in bytes. */
    public int sizeBytes() {
      return sizeBytes;
    }

    @Override
    public String toString() {
      return key + " (exp " + expiresAtUnixSeconds + ", " + sizeBytes + " bytes)";
    }
  }

  /** Stores exactly {@code value} under {@code key} with {@code flags}, expiring after {@code ttlSeconds} (0: never). */
  public void set(String key, byte[] value, long flags, int ttlSeconds) {
    command(
        "set " + key + " " + flags + " " + ttlSeconds + " " + value.length + "\r\n", value);
    String reply = readLine();
    if (!reply.equals("STORED")) {
      throw new IllegalStateException("memcached did not store " + key + ": " + reply);
    }
  }

  /** Stores {@code value} under {@code key} with flags 0 for an hour. */
  public void set(String key, byte[] value) {
    set(key, value, 0, 3600);
  }

  /** Returns the item under {@code key}, if any. */
  public Optional<Item> get(String key) {
    command("get " + key + "\r\n", null);
    String header = readLine();
    if (header.equals("END")) {
      return Optional.empty();
    }
    String[] parts = header.split(" ");
    if (parts.length < 4 || !parts[0].equals("VALUE")) {
      throw new IllegalStateException("unexpected reply to get: " + header);
    }
    byte[] value = readExactly(Integer.parseInt(parts[3]));
    readCrLf();
    String end = readLine();
    if (!end.equals("END")) {
      throw new IllegalStateException("unexpected end of get reply: " + end);
    }
    return Optional.of(new Item(value, Long.parseLong(parts[2])));
  }

  /** Returns the bytes under {@code key}, if any. */
  public Optional<byte[]> getBytes(String key) {
    return get(key).map(Item::value);
  }

  /** Deletes {@code key}; returns whether it existed. */
  public boolean delete(String key) {
    command("delete " + key + "\r\n", null);
    String reply = readLine();
    return reply.equals("DELETED");
  }

  /** Lists every live key on this server, with expiry and size ({@code lru_crawler metadump all}). */
  public List<KeyInfo> keys() {
    command("lru_crawler metadump all\r\n", null);
    List<KeyInfo> keys = new ArrayList<>();
    while (true) {
      String line = readLine();
      if (line.equals("END")) {
        return keys;
      }
      if (line.startsWith("BUSY") || line.startsWith("ERROR") || line.startsWith("CLIENT_ERROR")) {
        throw new IllegalStateException("lru_crawler metadump failed: " + line);
      }
      String key = null;
      long exp = -1;
      int size = -1;
      for (String field : line.split(" ")) {
        int eq = field.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String name = field.substring(0, eq);
        String value = field.substring(eq + 1);
        switch (name) {
          case "key":
            key = uriDecode(value);
            break;
          case "exp":
            exp = Long.parseLong(value);
            break;
          case "size":
            size = Integer.parseInt(value);
            break;
          default:
            break;
        }
      }
      if (key != null) {
        keys.add(new KeyInfo(key, exp, size));
      }
    }
  }

  /** Returns every live key with its value: a full scan, for tests that look for leaks. */
  public Map<String, byte[]> dump() {
    Map<String, byte[]> all = new LinkedHashMap<>();
    for (KeyInfo k : keys()) {
      getBytes(k.key()).ifPresent(v -> all.put(k.key(), v));
    }
    return all;
  }

  /** Returns the server's {@code stats} (e.g. {@code curr_items}, {@code time}). */
  public Map<String, String> stats() {
    command("stats\r\n", null);
    Map<String, String> stats = new LinkedHashMap<>();
    while (true) {
      String line = readLine();
      if (line.equals("END")) {
        return stats;
      }
      String[] parts = line.split(" ", 3);
      if (parts.length == 3 && parts[0].equals("STAT")) {
        stats.put(parts[1], parts[2]);
      }
    }
  }

  /** Deletes every item. */
  public void flushAll() {
    command("flush_all\r\n", null);
    String reply = readLine();
    if (!reply.equals("OK")) {
      throw new IllegalStateException("flush_all failed: " + reply);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void command(String line, byte @Nullable [] data) {
    try {
      out.write(line.getBytes(StandardCharsets.US_ASCII));
      if (data != null) {
        out.write(data);
        out.write('\r');
        out.write('\n');
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("memcached write failed", e);
    }
  }

  private String readLine() {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      while (true) {
        int b = in.read();
        if (b < 0) {
          throw new IllegalStateException("memcached closed the connection");
        }
        if (b == '\n') {
          byte[] bytes = line.toByteArray();
          int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, len, StandardCharsets.US_ASCII);
        }
        line.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("memcached read failed", e);
    }
  }

  private byte[] readExactly(int n) {
    try {
      byte[] b = in.readNBytes(n);
      if (b.length != n) {
        throw new IllegalStateException("memcached closed the connection mid-value");
      }
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException("memcached read failed", e);
    }
  }

  private void readCrLf() {
    byte[] crlf = readExactly(2);
    if (crlf[0] != '\r' || crlf[1] != '\n') {
      throw new IllegalStateException("value not followed by CRLF");
    }
  }

  private static String uriDecode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
