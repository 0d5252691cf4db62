package io.github.shredcache.netty;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

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
  private static final Pattern HEAP_RANGE =
      Pattern.compile("total.*\\[0x([0-9a-f]+), (?:0x[0-9a-f]+, )?0x([0-9a-f]+)\\)");

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
    return scanProcess(pid, needles, start -> true);
  }

  /**
   * Counts each needle in the readable mappings of process {@code pid} whose start address
   * {@code regions} accepts.
   */
  static long[] scanProcess(long pid, List<Needle> needles, LongPredicate regions)
      throws IOException {
    long[] counts = new long[needles.size()];
    List<long[]> mappings = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
      String[] f = line.split("\\s+");
      if (f[1].charAt(0) != 'r' || line.endsWith("[vvar]") || line.endsWith("[vsyscall]")) {
        continue;
      }
      String[] range = f[0].split("-");
      if (!regions.test(Long.parseUnsignedLong(range[0], 16))) {
        continue;
      }
      mappings.add(new long[] {Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16)});
    }
    try (FileChannel mem = FileChannel.open(Path.of("/proc/" + pid + "/mem"), StandardOpenOption.READ);
        Window w = new Window(needles, counts)) {
      for (long[] r : mappings) {
        w.restart();
        long pos = r[0];
        while (pos < r[1]) {
          int got;
          try {
            got = w.read(mem, pos, (int) Math.min(CHUNK, r[1] - pos));
          } catch (IOException unreadable) {
            break; // e.g. a guard page: skip the rest of the region
          }
          if (got <= 0) {
            break;
          }
          pos += got;
        }
      }
    }
    return counts;
  }

  /** Counts each needle in a file (e.g. an hprof heap dump). */
  static long[] scanFile(Path file, List<Needle> needles) throws IOException {
    long[] counts = new long[needles.size()];
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
        Window w = new Window(needles, counts)) {
      long pos = 0;
      int got;
      while ((got = w.read(in, pos, CHUNK)) > 0) {
        pos += got;
      }
    }
    return counts;
  }

  /**
   * The scanner's window: one direct buffer the channel reads into (a positional read into a
   * direct buffer makes no other copy: a heap array or {@code RandomAccessFile} would go through a
   * JNI buffer in native memory that is freed without being cleared) and one array to search.
   * Both are zeroized after every chunk, so what the scan read does not stay behind in this
   * process for a later scan, or for the scan itself when it reaches its own buffers, to find.
   */
  private static final class Window implements AutoCloseable {
    private final List<Needle> needles;
    private final long[] counts;
    private final int overlap;
    private final int shortest;
    /** Needle indexes by the first two (unmasked) bytes of the needle. */
    private final int[][] byPrefix = new int[1 << 16][];
    private final ByteBuffer direct = ByteBuffer.allocateDirect(CHUNK);
    private final byte[] buf;
    private int carried;

    Window(List<Needle> needles, long[] counts) {
      this.needles = needles;
      this.counts = counts;
      int longest = 2;
      int min = Integer.MAX_VALUE;
      for (int n = 0; n < needles.size(); n++) {
        byte[] m = needles.get(n).masked;
        if (m.length < 2) {
          throw new IllegalArgumentException("a needle has at least 2 bytes");
        }
        longest = Math.max(longest, m.length);
        min = Math.min(min, m.length);
        int p = prefix(m[0] ^ MASK, m[1] ^ MASK);
        int[] old = byPrefix[p] == null ? new int[0] : byPrefix[p];
        byPrefix[p] = Arrays.copyOf(old, old.length + 1);
        byPrefix[p][old.length] = n;
      }
      this.overlap = longest - 1;
      this.shortest = needles.isEmpty() ? Integer.MAX_VALUE : min;
      this.buf = new byte[CHUNK + overlap];
    }

    private static int prefix(int b0, int b1) {
      return (b0 & 0xFF) << 8 | (b1 & 0xFF);
    }

    /**
     * Counts the needles in {@code buf[0, len)}. The first {@code carried} bytes end the previous
     * chunk: a match lying entirely within them was counted then, and is skipped now.
     */
    private void count(int len) {
      for (int i = 0; i + shortest <= len; i++) {
        int[] candidates = byPrefix[prefix(buf[i], buf[i + 1])];
        if (candidates == null) {
          continue;
        }
        for (int n : candidates) {
          byte[] m = needles.get(n).masked;
          if (i + m.length > len || i + m.length <= carried) {
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

    /** Starts a new region: a match never spans two regions. */
    void restart() {
      Arrays.fill(buf, 0, carried, (byte) 0);
      carried = 0;
    }

    /** Reads up to {@code want} bytes at {@code pos} and counts the needles in them. */
    int read(FileChannel channel, long pos, int want) throws IOException {
      direct.clear().limit(want);
      int got = channel.read(direct, pos);
      if (got > 0) {
        direct.flip().get(buf, carried, got);
        int len = carried + got;
        count(len);
        int keep = Math.min(overlap, len);
        System.arraycopy(buf, len - keep, buf, 0, keep);
        Arrays.fill(buf, keep, len, (byte) 0);
        carried = keep;
      }
      direct.clear();
      while (direct.remaining() >= Long.BYTES) {
        direct.putLong(0);
      }
      return got;
    }

    @Override
    public void close() {
      restart();
    }
  }

  /**
   * The address ranges {@code [from, to)} of this JVM's Java heap, from the {@code GC.heap_info}
   * diagnostic command (G1, Parallel and Serial print the reserved range of each heap or
   * generation on its "total" line); empty if it prints none.
   */
  static List<long[]> javaHeapRanges() throws Exception {
    String info = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo",
        new Object[] {null}, new String[] {String[].class.getName()});
    List<long[]> ranges = new ArrayList<>();
    Matcher m = HEAP_RANGE.matcher(info);
    while (m.find()) {
      ranges.add(new long[] {Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)});
    }
    return ranges;
  }

  /** Whether {@code address} lies in one of {@code ranges}. */
  static boolean inside(List<long[]> ranges, long address) {
    for (long[] r : ranges) {
      if (Long.compareUnsigned(address, r[0]) >= 0 && Long.compareUnsigned(address, r[1]) < 0) {
        return true;
      }
    }
    return false;
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
