package io.github.shredcache.demo.keys;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --token-file FILE}: the token a {@code keys} subcommand reads, a picocli mixin. */
final class TokenFileOption {
  @Option(names = "--token-file", required = true, paramLabel = "FILE", description = "File holding a token.")
  Path file;
}
