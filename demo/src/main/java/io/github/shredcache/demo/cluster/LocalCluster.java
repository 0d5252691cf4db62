package io.github.shredcache.demo.cluster;

import io.github.shredcache.core.KeyToken;
import io.github.shredcache.demo.certs.ServerCertificate;
import io.github.shredcache.testing.memcached.MemcachedProcess;
import io.github.shredcache.demo.cli.SecretFiles;
import io.github.shredcache.demo.client.ClientCommand;
import io.github.shredcache.demo.client.ClientConfig;
import io.github.shredcache.demo.client.ClientReport;
import io.github.shredcache.demo.keys.KeysCommand;
import io.github.shredcache.demo.node.Node;
import io.github.shredcache.demo.node.NodeCommand;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The whole demo on one machine, without Docker: a private memcached pair on free loopback ports
 * (when the {@code memcached} binary is on the PATH), a fresh key token and one shared certificate
 * in a private temporary directory (on {@code /dev/shm} when it exists, so no key touches a disk),
 * N node processes of this same jar, a round-robin {@link Balancer} and the load client with
 * {@code --resume cross} through it.
 *
 * <p>Everything started is stopped again, by PID, in {@link #close()}, which also runs from a
 * shutdown hook on Ctrl-C. Not thread-safe; one run per instance.
 */
final class LocalCluster implements AutoCloseable {
  /** How long a child process may take to say it is ready (the machine may be busy). */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /**
   * What to run.
   *
   * @param nodes how many nodes
   * @param connections load client connections
   * @param concurrency load client concurrency
   * @param tlsVersion "1.2" or "1.3"
   * @param inProcess run nodes in this JVM rather than as processes
   * @param useMemcached start memcached if the binary is there
   * @param engine the nodes' --engine
   */
  record Options(int nodes, int connections, int concurrency, String tlsVersion, boolean inProcess,
      boolean useMemcached, String engine) {
    Options {
      if (nodes < 1 || nodes > 16) {
        throw new IllegalArgumentException("--nodes must be 1..16, was " + nodes);
      }
      if (connections < 1) {
        throw new IllegalArgumentException("--connections must be at least 1, was " + connections);
      }
      if (concurrency < 1) {
        throw new IllegalArgumentException("--concurrency must be at least 1, was " + concurrency);
      }
      if (!"1.2".equals(tlsVersion) && !"1.3".equals(tlsVersion)) {
        throw new IllegalArgumentException("--tls must be 1.2 or 1.3, was '" + tlsVersion + "'");
      }
    }
  }

  /** The epoch length of the demo's key chain. */
  static final Duration TOKEN_EPOCH = Duration.ofHours(1);

  private final Options options;
  private final PrintStream out;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final List<String> memcached = new ArrayList<>();
  private final List<InetSocketAddress> nodeAddresses = new ArrayList<>();
  private Path dir;
  private Path certFile;
  private io.github.shredcache.core.SessionStore sharedStore;
  private Thread shutdownHook;
  private boolean closed;

  LocalCluster(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Starts everything, runs the load client, prints the table and returns the report. */
  ClientReport run() throws Exception {
    shutdownHook = new Thread(this::close, "shredcache-cluster-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    dir = privateTempDir();
    started.push(() -> deleteTree(dir));
    Path tokenFile = writeToken(dir);
    startTokenAdvancer(tokenFile);
    writeCertificate(dir);

    if (options.useMemcached()) {
      Optional<Path> binary = findOnPath("memcached");
      if (binary.isPresent()) {
        for (int i = 0; i < 2; i++) {
          memcached.add(startMemcached());
        }
      } else {
        say("memcached not found on the PATH: running the nodes in this JVM on one shared"
            + " in-memory store instead (install memcached for the real demo)");
      }
    } else {
      say("--no-memcached: running the nodes in this JVM on one shared in-memory store");
    }

    Optional<Path> jar = ownJar();
    // Without memcached, only nodes in one JVM can share a store.
    boolean inProcess = options.inProcess() || jar.isEmpty() || memcached.isEmpty();
    if (inProcess && memcached.isEmpty()) {
      sharedStore = new io.github.shredcache.core.InMemorySessionStore();
      started.push(sharedStore);
    }
    if (inProcess && !options.inProcess() && jar.isEmpty()) {
      say("not running from the shaded jar: starting the nodes in this JVM");
    }
    List<CompletableFuture<InetSocketAddress>> starting = new ArrayList<>();
    for (int i = 1; i <= options.nodes(); i++) {
      List<String> args = nodeArgs("node" + i, tokenFile);
      starting.add(inProcess ? startInProcess("node" + i, args)
          : startProcess(jar.get(), "node" + i, args));
    }
    for (int i = 0; i < starting.size(); i++) {
      try {
        nodeAddresses.add(starting.get(i).get(START_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS));
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof Exception c ? c : e;
      }
    }

    Balancer balancer = Balancer.start(nodeAddresses, 0);
    started.push(balancer);
    say("balancer on 127.0.0.1:" + balancer.port() + " -> round-robin over "
        + nodeAddresses.size() + " nodes");

    ClientConfig config = new ClientConfig(
        List.of(new ClientConfig.Target("127.0.0.1", balancer.port())),
        options.connections(), options.concurrency(), ClientConfig.ResumeMode.CROSS,
        options.tlsVersion(), Duration.ofMinutes(3), Duration.ofSeconds(30), false,
        Optional.of(certFile), ClientConfig.Provider.AUTO, 1);
    say("load client: " + options.connections() + " connections, concurrency "
        + options.concurrency() + ", --resume cross, TLS " + options.tlsVersion()
        + ", trusting the cluster's certificate");
    return ClientCommand.execute(config, out, true, System.console() != null);
  }

  /** The arguments of {@code node} for node {@code name}. */
  private List<String> nodeArgs(String name, Path tokenFile) {
    List<String> args = new ArrayList<>(List.of("--node-name", name, "--port", "0",
        "--bind", "127.0.0.1", "--key-token-file", tokenFile.toString(),
        "--cert", certFile.toString(), "--key", dir.resolve("key.pem").toString(),
        "--namespace", "demo", "--engine", options.engine()));
    if (!memcached.isEmpty()) {
      args.add("--memcached");
      args.add(String.join(",", memcached));
    }
    return args;
  }

  private void say(String line) {
    out.println("cluster: " + line);
    out.flush();
  }

  /** {@code /dev/shm} (memory) when usable, else the system temp directory; mode 700. */
  static Path privateTempDir() throws IOException {
    Path shm = Path.of("/dev/shm");
    Path base = Files.isDirectory(shm) && Files.isWritable(shm)
        ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    try {
      return Files.createTempDirectory(base, "shredcache-demo-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException e) {
      return Files.createTempDirectory(base, "shredcache-demo-");
    }
  }

  /**
   * Advances the stored token at every epoch boundary, as a deployment's advancer does: a node
   * (re)started later begins from the current epoch, and the file never opens past epochs.
   */
  private void startTokenAdvancer(Path tokenFile) {
    ScheduledExecutorService advancer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "shredcache-token-advancer");
      t.setDaemon(true);
      return t;
    });
    started.push(advancer::shutdownNow);
    InstantSource clock = InstantSource.system();
    advancer.schedule(() -> advanceToken(advancer, tokenFile, clock),
        KeysCommand.untilNextEpoch(TOKEN_EPOCH, clock).toMillis(), TimeUnit.MILLISECONDS);
  }

  private void advanceToken(ScheduledExecutorService advancer, Path tokenFile, InstantSource clock) {
    try {
      KeysCommand.advanceInPlace(tokenFile, clock);
    } catch (IOException | RuntimeException e) {
      say("token advancer: " + e.getMessage());
    }
    advancer.schedule(() -> advanceToken(advancer, tokenFile, clock),
        KeysCommand.untilNextEpoch(TOKEN_EPOCH, clock).toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Path writeToken(Path dir) throws IOException {
    Path file = dir.resolve("token");
    KeyToken token = KeyToken.generate(TOKEN_EPOCH, InstantSource.system());
    try {
      SecretFiles.writePrivate(file, token.encode() + "\n");
    } finally {
      token.destroy();
    }
    return file;
  }

  private void writeCertificate(Path dir) throws Exception {
    certFile = dir.resolve("cert.pem");
    ServerCertificate.selfSigned(ServerCertificate.Algorithm.EC, "localhost")
        .writePem(certFile, dir.resolve("key.pem"));
  }

  /** Returns {@code command} if an executable of that name is in a directory of the PATH. */
  static Optional<Path> findOnPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String d : path.split(File.pathSeparator)) {
      Path p = Path.of(d, command);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The shaded jar this class was loaded from, if it was. */
  static Optional<Path> ownJar() {
    try {
      var src = LocalCluster.class.getProtectionDomain().getCodeSource();
      if (src == null) {
        return Optional.empty();
      }
      Path p = Path.of(src.getLocation().toURI());
      return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? Optional.of(p)
          : Optional.empty();
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private String startMemcached() {
    MemcachedProcess m = MemcachedProcess.builder().memoryLimitMegabytes(64).start();
    started.push(m);
    say("memcached on " + m.address() + " (pid " + m.pid() + ")");
    return m.address();
  }

  private CompletableFuture<InetSocketAddress> startProcess(Path jar, String name,
      List<String> args) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // A short demo: C1 only starts faster and burns less CPU on compiling than C2 would save.
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-XX:+UseSerialGC", "-Xmx256m",
        "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "node"));
    cmd.addAll(args);
    Path log = dir.resolve(name + ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    started.push(() -> stopProcess(p));
    CompletableFuture<InetSocketAddress> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (!ready.isDone() && line.startsWith("listening on ")) {
            int port = Integer.parseInt(line.substring("listening on ".length()).trim());
            say(name + " listening on 127.0.0.1:" + port + " (pid " + p.pid() + ")");
            ready.complete(new InetSocketAddress("127.0.0.1", port));
          }
        }
        if (!ready.isDone()) {
          ready.completeExceptionally(new IOException(name + " exited before it was ready (exit "
              + p.waitFor() + "); its log:\n" + tail(log)));
        }
      } catch (IOException | RuntimeException | InterruptedException e) {
        ready.completeExceptionally(e);
      }
    }, "shredcache-cluster-" + name);
    reader.setDaemon(true);
    reader.start();
    return ready.orTimeout(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(
            e instanceof java.util.concurrent.TimeoutException
                ? new IOException(name + " did not print 'listening on' within "
                    + START_TIMEOUT.toSeconds() + " s; its log:\n" + tail(log))
                : e));
  }

  private CompletableFuture<InetSocketAddress> startInProcess(String name, List<String> args) {
    CompletableFuture<InetSocketAddress> f = new CompletableFuture<>();
    try {
      Node node = NodeCommand.start(args, sharedStore);
      started.push(node);
      say(name + " listening on 127.0.0.1:" + node.port() + " (in this JVM)");
      f.complete(new InetSocketAddress("127.0.0.1", node.port()));
    } catch (Exception e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM by PID, then SIGKILL if it does not stop within 5 s. */
  private static void stopProcess(Process p) throws InterruptedException {
    if (!p.isAlive()) {
      return;
    }
    p.destroy();
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** Overwrites secret files with zeros, then deletes the directory. */
  private static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        String n = file.getFileName().toString();
        if (n.equals("token") || n.equals("key.pem") || n.endsWith(".new")) {
          SecretFiles.overwriteAndDelete(file);
        } else {
          Files.delete(file);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Stops everything started, newest first. Idempotent; also runs on Ctrl-C. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    int n = 0;
    while (!started.isEmpty()) {
      AutoCloseable c = started.pop();
      try {
        c.close();
        n++;
      } catch (Exception e) {
        out.println("cluster: while stopping: " + e);
      }
    }
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException ignored) {
        // already shutting down
      }
    }
    say("stopped everything it started (" + n + " parts)");
  }
}
