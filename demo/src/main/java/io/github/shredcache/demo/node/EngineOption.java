package io.github.shredcache.demo.node;

import picocli.CommandLine.Option;

/**
 * {@code --engine}: the nodes' TLS engine, a picocli mixin shared by {@code node} and {@code
 * cluster} (which passes it on to the nodes it starts), so both accept the same values with the
 * same help.
 */
public final class EngineOption {
  @Option(names = "--engine", defaultValue = "bc", paramLabel = "bc|openssl|jdk", description = "TLS engine: bc (sessions resume across nodes), openssl (ticket keys from the ratchet), jdk (node-local baseline). Default ${DEFAULT-VALUE}.")
  NodeTls.Engine engine;

  /** Returns the engine's name on the command line, e.g. {@code bc}. */
  public String label() {
    return engine.label();
  }
}
