package io.github.shredcache.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes secret test files the way the node demands them: mode 600. */
final class SecretTestFiles {
  private SecretTestFiles() {}

  /** Creates {@code file} with mode 600 holding {@code text}; returns it. */
  static Path writePrivate(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
