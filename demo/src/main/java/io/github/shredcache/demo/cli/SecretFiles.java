package io.github.shredcache.demo.cli;

import io.github.shredcache.core.KeyToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads secrets from files once and zeroizes every buffer it read them into. The file contents are
 * never echoed: errors name the file and what is wrong with it, never what it holds.
 */
public final class SecretFiles {
  private SecretFiles() {}

  /**
   * Reads and parses the key token in {@code file}; the caller owns (and destroys) the result.
   *
   * @throws UsageException if the file cannot be read or does not hold a valid token
   */
  public static KeyToken readToken(Path file, String option, InstantSource clock) {
    char[] chars = readChars(file, option);
    try {
      return KeyToken.parse(CharBuffer.wrap(chars), clock);
    } catch (IllegalArgumentException e) {
      // KeyToken's messages never echo the secret; the cause's might, so it is dropped.
      throw new UsageException(option + " " + file + ": " + e.getMessage());
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  /**
   * Returns the contents of {@code file} as characters without a trailing line break; the caller
   * owns the array and must zero it.
   *
   * @throws UsageException if the file is missing, unreadable, empty or not UTF-8
   */
  public static char[] readChars(Path file, String option) {
    requireReadableFile(file, option);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UsageException(option + " " + file + ": cannot read it (" + e.getClass().getSimpleName() + ")");
    }
    CharBuffer decoded = null;
    try {
      CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
      decoded = decoder.decode(ByteBuffer.wrap(bytes));
      int end = decoded.limit();
      while (end > 0 && (decoded.get(end - 1) == '\n' || decoded.get(end - 1) == '\r')) {
        end--;
      }
      if (end == 0) {
        throw new UsageException(option + " " + file + ": the file is empty");
      }
      char[] out = new char[end];
      decoded.get(0, out, 0, end);
      return out;
    } catch (CharacterCodingException e) {
      throw new UsageException(option + " " + file + ": not a UTF-8 text file");
    } finally {
      Arrays.fill(bytes, (byte) 0);
      if (decoded != null && decoded.hasArray()) {
        Arrays.fill(decoded.array(), '\0');
      }
    }
  }

  /**
   * Checks that {@code file} is a readable regular file.
   *
   * @throws UsageException naming {@code option} and the file, unless it is one
   */
  public static void requireReadableFile(Path file, String option) {
    if (!Files.exists(file)) {
      throw new UsageException(option + " " + file + ": no such file");
    }
    if (!Files.isRegularFile(file)) {
      throw new UsageException(option + " " + file + ": not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw new UsageException(option + " " + file + ": not readable (check its permissions)");
    }
  }

  /**
   * Refuses a secret file that users other than its owner may read (POSIX file systems only).
   *
   * @throws UsageException naming the file and the fix ({@code chmod 600}) unless {@code allowed}
   */
  public static void requirePrivate(Path file, String option, String allowFlag) {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: nothing to check
    } catch (IOException e) {
      throw new UsageException(option + " " + file + ": cannot read its permissions ("
          + e.getClass().getSimpleName() + ")");
    }
    Set<PosixFilePermission> open = EnumSet.of(PosixFilePermission.GROUP_READ,
        PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.OTHERS_WRITE);
    open.retainAll(perms);
    if (!open.isEmpty()) {
      throw new UsageException(option + " " + file + ": readable or writable by others (mode "
          + PosixFilePermissions.toString(perms) + "); run 'chmod 600 " + file + "', or pass "
          + allowFlag + " if the directory already keeps others out");
    }
  }

  /**
   * Replaces {@code file} with {@code text} atomically: the text goes to a new private file (mode
   * 600) in the same directory, which is renamed over {@code file}; then the old file's bytes are
   * overwritten with zeros in place through a handle opened before the rename, so the old secret
   * does not linger in the freed blocks (on file systems that overwrite in place, such as tmpfs and
   * ext4 without data journaling).
   */
  public static void replaceAtomically(Path file, char[] text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + file.getFileName() + ".new");
    overwriteAndDelete(tmp); // left over by an interrupted run: it may hold a secret
    byte[] bytes = new byte[text.length + 1];
    for (int i = 0; i < text.length; i++) {
      bytes[i] = (byte) text[i]; // tokens are ASCII
    }
    bytes[text.length] = '\n';
    try (FileChannel out = createPrivate(tmp)) {
      out.write(ByteBuffer.wrap(bytes));
      out.force(true);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    FileChannel old = null;
    try {
      old = FileChannel.open(file, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      // nothing to scrub
    }
    try {
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      if (old != null) {
        zeroInPlace(old);
      }
    } finally {
      if (old != null) {
        old.close();
      }
    }
  }

  /** Overwrites {@code file} with zeros in place (no truncation first), then deletes it. */
  public static void overwriteAndDelete(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      zeroInPlace(ch);
    } catch (NoSuchFileException e) {
      return;
    }
    Files.deleteIfExists(file);
  }

  /** Creates {@code file} (new) with mode 600 (where POSIX), writes {@code text} to it; returns it. */
  public static Path writePrivate(Path file, String text) throws IOException {
    try (FileChannel out = createPrivate(file)) {
      out.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
      out.force(true);
    }
    return file;
  }

  private static FileChannel createPrivate(Path file) throws IOException {
    try {
      return FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
  }

  private static void zeroInPlace(FileChannel ch) throws IOException {
    long size = ch.size();
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(Math.max(size, 1), 1 << 16));
    long pos = 0;
    while (pos < size) {
      zeros.clear();
      zeros.limit((int) Math.min(zeros.capacity(), size - pos));
      pos += ch.write(zeros, pos);
    }
    ch.force(true);
  }
}
