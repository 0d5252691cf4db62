package io.github.shredcache.demo.cli;

/**
 * A configuration error found after parsing (missing file, bad key token, port out of range):
 * reported as one {@code error:} line and exit code 2. The message must say the fix and must never
 * contain a secret.
 */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
