package io.github.shredcache.demo;

import io.github.shredcache.core.KeyToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Arrays;

/**
 * Reads secrets from files once and zeroizes every buffer it read them into. The file contents are
 * never echoed: errors name the file and what is wrong with it, never what it holds.
 */
final class SecretFiles {
  private SecretFiles() {}

  /**
   * Reads and parses the key token in {@code file}; the caller owns (and destroys) the result.
   *
   * @throws UsageException if the file cannot be read or does not hold a valid token
   */
  static KeyToken readToken(Path file, String option, InstantSource clock) {
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
  static char[] readChars(Path file, String option) {
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

  /** @throws UsageException unless {@code file} is a readable regular file */
  static void requireReadableFile(Path file, String option) {
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
}
