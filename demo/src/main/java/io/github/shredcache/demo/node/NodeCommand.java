package io.github.shredcache.demo.node;

import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.SessionStore;
import io.github.shredcache.demo.cli.Cli;
import io.github.shredcache.demo.cli.SecretFiles;
import io.github.shredcache.demo.cli.UsageException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code node}: runs a demo TLS node until Ctrl-C / SIGTERM. Prints exactly one line, {@code
 * listening on P}, to stdout once it accepts connections; everything else goes to stderr (SLF4J).
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run a TLS node that answers GET / with how this connection's handshake went",
      "(full, or resumed from the local cache or from the shared store).",
      "Prints 'listening on PORT' on stdout when ready; stops cleanly on Ctrl-C or SIGTERM."
    })
public final class NodeCommand implements Callable<Integer> {
  private static final Duration MAX_WARM_UP = Duration.ofMinutes(5);
  @Spec CommandSpec spec;

  @Option(names = "--port", required = true, paramLabel = "PORT", description = "TLS port (0: any free port).")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--memcached", split = ",", paramLabel = "HOST:PORT", description = "memcached servers shared by the cluster; without it sessions stay in this node's memory.")
  List<String> memcached = new ArrayList<>();

  @Option(names = "--memcached-user", paramLabel = "USER", description = "SASL user for memcached (needs --memcached-password-file).")
  String memcachedUser;

  @Option(names = "--memcached-password-file", paramLabel = "FILE", description = "File holding the SASL password (read once).")
  Path memcachedPasswordFile;

  @Option(names = "--key-token-file", required = true, paramLabel = "FILE", description = "File holding the key token ('keys init'); read once at start.")
  Path keyTokenFile;

  @Option(names = "--allow-readable-token-file", description = "Accept a --key-token-file that group or others may read (by default the node refuses it: chmod 600).")
  boolean allowReadableTokenFile;

  @Option(names = "--namespace", defaultValue = "demo", paramLabel = "NAME", description = "Cluster namespace: nodes only resume sessions of their own namespace (default ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--session-lifetime", defaultValue = "300s", paramLabel = "DURATION", description = "How long a session may be resumed (default ${DEFAULT-VALUE}).")
  Duration sessionLifetime;

  @Option(names = "--store-timeout", defaultValue = "50ms", paramLabel = "DURATION", description = "How long a handshake waits for the shared store before going full (default ${DEFAULT-VALUE}).")
  Duration storeTimeout;

  @Option(names = "--cert", paramLabel = "FILE", description = "Certificate chain, PEM (with --key). Default: a throwaway self-signed one for localhost.")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE", description = "Private key, PEM PKCS#8 (with --cert).")
  Path key;

  @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve Prometheus metrics at http://BIND:PORT/metrics (0: any free port).")
  Integer metricsPort;

  @Option(names = "--node-name", paramLabel = "NAME", description = "Name shown on the page and in metrics (default: node-PORT, or node-PID with --port 0).")
  String nodeName;

  @Mixin EngineOption engine;

  @Option(names = "--epoch-length", paramLabel = "DURATION", description = "Optional check: the epoch length this node expects. The key token fixes it for the whole chain ('keys init --epoch-length'); the node refuses to start if they differ.")
  Duration epochLength;

  @Option(names = "--io-threads", defaultValue = "0", paramLabel = "N", description = "Event loop threads (0: Netty's default).")
  int ioThreads;

  @Option(names = "--warm-up", paramLabel = "DURATION", description = "Before listening, run handshakes for this long against private copies of the node (own session caches, never the shared store) so the JIT has compiled the handshake path when the first client arrives; e.g. 5s. Default: none.")
  Duration warmUp;

  @Override
  public Integer call() throws Exception {
    NodeConfig config = validate();
    Node node = Node.start(config);
    Thread hook = new Thread(node::close, "shredcache-node-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintWriter out = spec.commandLine().getOut();
    out.println("listening on " + node.port());
    out.flush();
    node.awaitClosed();
    return 0;
  }

  /**
   * Starts a node in this JVM from {@code node} arguments ({@code args} without the word {@code
   * node}), parsed and checked as the command line does, on {@code sharedStore} instead of the
   * store the arguments name (not owned: the caller closes it); returns when it accepts
   * connections. For the local demo's in-process nodes.
   *
   * @throws picocli.CommandLine.ParameterException for unknown or malformed flags
   * @throws UsageException for flags that do not fit together
   */
  public static Node start(List<String> args, SessionStore sharedStore) throws Exception {
    NodeCommand command = new NodeCommand();
    Cli.parser(command).parseArgs(args.toArray(new String[0]));
    return Node.start(command.validate(), sharedStore);
  }

  /** Checks the flags together and returns the configuration; throws {@link UsageException}. */
  NodeConfig validate() {
    checkPort("--port", port);
    if (metricsPort != null) {
      checkPort("--metrics-port", metricsPort);
      if (metricsPort != 0 && metricsPort == port) {
        throw new UsageException("--metrics-port must differ from --port (both " + port + ")");
      }
    }
    List<String> servers = new ArrayList<>();
    for (String server : memcached) {
      servers.add(checkHostPort(server.trim()));
    }
    if ((memcachedUser == null) != (memcachedPasswordFile == null)) {
      throw new UsageException("--memcached-user and --memcached-password-file go together: give both or neither");
    }
    if (memcachedUser != null && servers.isEmpty()) {
      throw new UsageException("--memcached-user needs --memcached HOST:PORT");
    }
    if (memcachedPasswordFile != null) {
      SecretFiles.requireReadableFile(memcachedPasswordFile, "--memcached-password-file");
    }
    SecretFiles.requireReadableFile(keyTokenFile, "--key-token-file");
    if (!allowReadableTokenFile) {
      SecretFiles.requirePrivate(keyTokenFile, "--key-token-file", "--allow-readable-token-file");
    }
    if ((cert == null) != (key == null)) {
      throw new UsageException("--cert and --key go together: give both (e.g. from 'certs --out DIR') or neither");
    }
    if (cert != null) {
      SecretFiles.requireReadableFile(cert, "--cert");
      SecretFiles.requireReadableFile(key, "--key");
    }
    if (epochLength != null) {
      checkEpochLength(epochLength, keyTokenFile);
    }
    if (ioThreads < 0) {
      throw new UsageException("--io-threads must be 0 (Netty's default) or more, was " + ioThreads);
    }
    if (warmUp != null && warmUp.compareTo(MAX_WARM_UP) > 0) {
      throw new UsageException("--warm-up must be at most " + MAX_WARM_UP.toSeconds() + "s, was " + warmUp);
    }
    String name = nodeName != null ? nodeName
        : "node-" + (port != 0 ? Integer.toString(port) : Long.toString(ProcessHandle.current().pid()));
    return new NodeConfig(name, bind, port, servers, memcachedUser, memcachedPasswordFile, keyTokenFile,
        namespace, sessionLifetime, storeTimeout, cert, key, metricsPort == null ? -1 : metricsPort, engine.engine,
        ioThreads, warmUp == null ? Duration.ZERO : warmUp);
  }

  /**
   * The token carries the epoch length of its chain, so every node of a chain agrees on it: {@code
   * --epoch-length} cannot change it, only assert it.
   */
  private static void checkEpochLength(Duration expected, Path tokenFile) {
    KeyToken token = SecretFiles.readToken(tokenFile, "--key-token-file", InstantSource.system());
    Duration actual;
    try {
      actual = token.epochLength();
    } finally {
      token.destroy();
    }
    if (!actual.equals(expected)) {
      throw new UsageException("--epoch-length " + expected.getSeconds() + "s disagrees with --key-token-file "
          + tokenFile + ", whose chain has epochs of " + actual.getSeconds() + "s (the token fixes the epoch"
          + " length for every node of its chain): drop --epoch-length, or make a new chain with"
          + " 'keys init --epoch-length " + expected.getSeconds() + "s' and give it to every node");
    }
  }

  private static void checkPort(String option, int value) {
    if (value < 0 || value > 65535) {
      throw new UsageException(option + " must be a port from 1 to 65535 (or 0 for any free one), was " + value);
    }
  }

  /** Returns {@code value} if it is {@code host:port} with a port in range. */
  static String checkHostPort(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new UsageException("--memcached: an address must be host:port, was '" + value + "'");
    }
    int p;
    try {
      p = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new UsageException("--memcached: the port in '" + value + "' is not a number");
    }
    if (p < 1 || p > 65535) {
      throw new UsageException("--memcached: the port in '" + value + "' must be from 1 to 65535");
    }
    return value;
  }
}
