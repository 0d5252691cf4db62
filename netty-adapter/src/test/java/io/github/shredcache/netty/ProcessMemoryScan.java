package io.github.shredcache.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Counts occurrences of secrets in a process's memory ({@code /proc/PID/maps} +
 * {@code /proc/PID/mem}, every readable region; needs root or the same user with ptrace rights)
 * or in a file (a heap dump).
 *
 * <p>The secrets are held XOR-masked, so the raw bytes never exist in this JVM's heap: scanning
 * our own process (or a dump of it) does not find the needles themselves.
 */
final class ProcessMemoryScan {
  static final int MASK = 0xA5;
  private static final int CHUNK = 4 << 20;

  /** A secret to look for, masked. */
  static final class Needle {
    final byte[] masked;
    final String label;

    private Needle(byte[] masked, String label) {
      this.masked = masked;
      this.label = label;
    }

    /** From hex (e.g. the master secret of a CLIENT_RANDOM keylog line), masked on the way in. */
    static Needle fromHex(String hex, String label) {
      byte[] b = new byte[hex.length() / 2];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) (Integer.parseInt(hex, 2 * i, 2 * i + 2, 16) ^ MASK);
      }
      return new Needle(b, label);
    }

    /** From raw bytes the caller owns (copied masked; the caller zeroizes its array). */
    static Needle fromRaw(byte[] raw, String label) {
      byte[] b = new byte[raw.length];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) (raw[i] ^ MASK);
      }
      return new Needle(b, label);
    }

    int length() {
      return masked.length;
    }

    @Override
    public String toString() {
      return "Needle[" + label + "]";
    }
  }

  private ProcessMemoryScan() {}

  /** Counts each needle in every readable mapping of process {@code pid}. */
  static long[] scanProcess(long pid, List<Needle> needles) throws IOException {
    long[] counts = new long[needles.size()];
    int overlap = maxLength(needles) - 1;
    List<long[]> regions = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
      String[] f = line.split("\\s+");
      if (f[1].charAt(0) != 'r' || line.endsWith("[vvar]") || line.endsWith("[vsyscall]")) {
        continue;
      }
      String[] range = f[0].split("-");
      regions.add(new long[] {Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16)});
    }
    byte[] buf = new byte[CHUNK + overlap];
    try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
      for (long[] r : regions) {
        long pos = r[0];
        int carried = 0;
        while (pos < r[1]) {
          int want = (int) Math.min(CHUNK, r[1] - pos);
          int got;
          try {
            mem.seek(pos);
            got = mem.read(buf, carried, want);
          } catch (IOException unreadable) {
            break; // e.g. a guard page: skip the rest of the region
          }
          if (got <= 0) {
            break;
          }
          int len = carried + got;
          count(buf, len, needles, counts);
          carried = Math.min(overlap, len);
          System.arraycopy(buf, len - carried, buf, 0, carried);
          pos += got;
        }
      }
    }
    return counts;
  }

  /** Counts each needle in a file (e.g. an hprof heap dump). */
  static long[] scanFile(Path file, List<Needle> needles) throws IOException {
    long[] counts = new long[needles.size()];
    int overlap = maxLength(needles) - 1;
    byte[] buf = new byte[CHUNK + overlap];
    try (InputStream in = Files.newInputStream(file)) {
      int carried = 0;
      int got;
      while ((got = in.readNBytes(buf, carried, CHUNK)) > 0) {
        int len = carried + got;
        count(buf, len, needles, counts);
        carried = Math.min(overlap, len);
        System.arraycopy(buf, len - carried, buf, 0, carried);
      }
    }
    return counts;
  }

  private static int maxLength(List<Needle> needles) {
    int max = 1;
    for (Needle n : needles) {
      max = Math.max(max, n.length());
    }
    return max;
  }

  /**
   * Counts matches that start in {@code buf[0, len - overlap)} plus, at the very end, the tail;
   * a match is counted once because carried bytes can only complete a match that began after
   * the previous chunk's last full window.
   */
  private static void count(byte[] buf, int len, List<Needle> needles, long[] counts) {
    // Index on the first two (unmasked) bytes of each needle.
    for (int n = 0; n < needles.size(); n++) {
      byte[] m = needles.get(n).masked;
      int b0 = (m[0] ^ MASK) & 0xFF;
      int b1 = (m[1] ^ MASK) & 0xFF;
      int last = len - m.length;
      for (int i = 0; i <= last; i++) {
        if ((buf[i] & 0xFF) != b0 || (buf[i + 1] & 0xFF) != b1) {
          continue;
        }
        boolean match = true;
        for (int j = 2; j < m.length; j++) {
          if ((byte) (buf[i + j] ^ MASK) != m[j]) {
            match = false;
            break;
          }
        }
        if (match) {
          counts[n]++;
        }
      }
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
