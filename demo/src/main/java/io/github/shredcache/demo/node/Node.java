package io.github.shredcache.demo.node;

import io.github.shredcache.core.InMemorySessionStore;
import io.github.shredcache.core.KeyRatchet;
import io.github.shredcache.core.KeyToken;
import io.github.shredcache.core.SessionCache;
import io.github.shredcache.core.SessionCacheBuilder;
import io.github.shredcache.core.SessionStore;
import io.github.shredcache.demo.certs.ServerCertificate;
import io.github.shredcache.demo.cli.SecretFiles;
import io.github.shredcache.demo.cli.UsageException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running demo node: a Netty TLS server answering {@code GET /} (see {@link NodePipeline}), its
 * session cache and store, key epoch housekeeping, and optionally a metrics endpoint.
 *
 * <p>Owns everything it made; {@link #close()} releases it in reverse order (idempotent,
 * thread-safe; used by the shutdown hook on Ctrl-C / SIGTERM).
 */
public final class Node implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final NodeConfig config;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final NodeWatch watch = new NodeWatch();
  private volatile boolean closing;
  private Channel serverChannel;
  private MetricsServer metricsServer;
  private NodeMetrics metrics;

  private SessionStore sharedStore;
  private NodeWarmUp.Result warmUpResult;

  private Node(NodeConfig config) {
    this.config = config;
  }

  /**
   * Starts a node; returns when it accepts connections.
   *
   * @throws UsageException for configuration errors (bad token, namespace, certificate...)
   * @throws Exception for failures while starting (e.g. the port is taken)
   */
  static Node start(NodeConfig config) throws Exception {
    return start(config, null);
  }

  /**
   * Starts a node whose store is {@code sharedStore} (not owned: the caller closes it) instead of
   * the one its configuration names; for the local demo's in-process nodes, which share one
   * in-memory store when no memcached is installed. {@code null}: as {@link #start(NodeConfig)}.
   */
  static Node start(NodeConfig config, SessionStore sharedStore) throws Exception {
    Node node = new Node(config);
    node.sharedStore = sharedStore;
    try {
      node.startUp();
      return node;
    } catch (Exception | Error e) {
      node.close();
      throw e;
    }
  }

  private void startUp() throws Exception {
    InstantSource clock = InstantSource.system();

    // Keys: the token is read once, then the ratchet owns the only copy of the state.
    KeyToken token = SecretFiles.readToken(config.keyTokenFile(), "--key-token-file", clock);
    KeyRatchet ratchet;
    try {
      ratchet = KeyRatchet.fromToken(token, config.sessionLifetime(), clock);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--key-token-file " + config.keyTokenFile() + " / --session-lifetime: " + e.getMessage());
    } finally {
      token.destroy();
    }
    resources.push(ratchet);

    SessionStore store = sharedStore;
    if (store == null && config.sharedStore()) {
      store = Stores.memcached(config);
      resources.push(store);
    }

    // The lifetime was set once, in the ratchet; the store's operation timeout is the one budget
    // of a lookup.
    SessionCacheBuilder builder = SessionCache.builder().keys(ratchet);
    if (store != null) {
      builder.store(store);
    }
    try {
      builder.namespace(config.namespace());
    } catch (IllegalArgumentException e) {
      throw new UsageException("--namespace " + config.namespace() + ": " + e.getMessage());
    }
    SessionCache cache;
    try {
      cache = builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UsageException(e.getMessage());
    }
    resources.push(cache);

    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "shredcache-node-watch");
      t.setDaemon(true);
      return t;
    });
    resources.push(scheduler::shutdownNow);

    ServerCertificate identity;
    if (config.cert() != null) {
      identity = ServerCertificate.read(config.cert(), config.key());
    } else {
      // Made in memory: no key file is written anywhere.
      identity = ServerCertificate.selfSigned(ServerCertificate.Algorithm.EC, "localhost");
      log.warn("no --cert/--key: serving a throwaway self-signed certificate for localhost;"
          + " nodes of a cluster must share one (make it with 'certs --out DIR')");
    }

    NodeTls tls;
    try {
      tls = NodeTls.create(config.engine(), new NodeTls.Setup(
          identity.key(), identity.chain(), cache, ratchet, config.sessionLifetime(), config.storeTimeout()));
    } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
      throw new UsageException("--cert/--key: cannot use them: " + e.getMessage());
    }
    resources.push(tls);

    metrics = new NodeMetrics(config.nodeName(), tls.engine().label(), cache::stats, watch::storeUp);
    watch.watchEpochs(ratchet);
    if (store != null) {
      watch.watchStore(store, config.namespace() + ":shredcache-probe",
          String.join(",", config.memcachedServers()), scheduler);
    }

    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), NioIoHandler.newFactory());
    resources.push(() -> {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
      workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    });
    ChannelGroup channels = new DefaultChannelGroup("shredcache-node", GlobalEventExecutor.INSTANCE);
    resources.push(() -> channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS));

    if (!config.warmUp().isZero()) {
      warmUp(identity, ratchet, workers);
    }

    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new NodePipeline(config.nodeName(), tls, metrics, channels));
    serverChannel = bootstrap.bind(new InetSocketAddress(config.bind(), config.port())).sync().channel();
    resources.push(() -> serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS));

    if (config.metricsPort() >= 0) {
      metricsServer = MetricsServer.start(config.bind(), config.metricsPort(), metrics::scrape);
      resources.push(metricsServer);
    }

    log.info("node {} started: engine {}, {}:{}, store {}, namespace {}, key epoch {} (length {}s, {} past epochs kept),"
            + " session lifetime {}s{}",
        config.nodeName(), tls.description(), config.bind(), port(),
        store == null ? "in-memory (this node only)" : "memcached " + String.join(",", config.memcachedServers()),
        config.namespace(), ratchet.currentEpoch(), ratchet.epochLength().getSeconds(), ratchet.epochsBehind(),
        config.sessionLifetime().getSeconds(),
        metricsServer == null ? "" : ", metrics on http://" + config.bind() + ":" + metricsServer.port() + "/metrics");
  }

  /**
   * Runs {@link NodeWarmUp} against two copies of this node's TLS setup that share a store in
   * this node's memory (so resumptions on the other copy take the shared-store path), then drops
   * them.
   */
  private void warmUp(ServerCertificate identity, KeyRatchet ratchet, EventLoopGroup workers) throws Exception {
    InMemorySessionStore store = new InMemorySessionStore();
    try (SessionCache cacheA = warmUpCache(ratchet, store);
        SessionCache cacheB = warmUpCache(ratchet, store);
        NodeTls tlsA = NodeTls.create(config.engine(), new NodeTls.Setup(
            identity.key(), identity.chain(), cacheA, ratchet, config.sessionLifetime(), config.storeTimeout()));
        NodeTls tlsB = NodeTls.create(config.engine(), new NodeTls.Setup(
            identity.key(), identity.chain(), cacheB, ratchet, config.sessionLifetime(), config.storeTimeout()))) {
      NodeMetrics discarded = new NodeMetrics(config.nodeName(), tlsA.engine().label(), cacheA::stats, () -> 1);
      NodeWarmUp.Result r = warmUpResult = NodeWarmUp.run(
          config.nodeName(), List.of(tlsA, tlsB), discarded, identity.chain(), workers, config.warmUp());
      log.info("warmed up in {} ms: {} handshakes ({} full, {} resumed, {} of them from the store), {} failed",
          r.took().toMillis(), r.handshakes(), r.full(), r.resumed(), r.resumedFromStore(), r.failed());
    } finally {
      store.close();
    }
  }

  private SessionCache warmUpCache(KeyRatchet ratchet, SessionStore store) {
    return SessionCache.builder().keys(ratchet).store(store).namespace(config.namespace()).build();
  }

  /** Returns the TLS port accepted on. */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Returns the metrics port, or -1 without a metrics endpoint. */
  int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  /** Returns what the warm-up did, or null if the node started without one. */
  NodeWarmUp.Result warmUpResult() {
    return warmUpResult;
  }

  NodeMetrics metrics() {
    return metrics;
  }

  /** Blocks until {@link #close()} has finished. */
  void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** Stops the node and releases everything it made, in reverse order. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        awaitQuietly();
        return;
      }
      closing = true;
    }
    try {
      while (!resources.isEmpty()) {
        AutoCloseable r = resources.pop();
        try {
          r.close();
        } catch (Exception e) {
          log.warn("while stopping: {}", e.toString());
        }
      }
      if (serverChannel != null) {
        log.info("node {} stopped", config.nodeName());
      }
    } finally {
      closed.countDown();
    }
  }

  private void awaitQuietly() {
    try {
      closed.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
