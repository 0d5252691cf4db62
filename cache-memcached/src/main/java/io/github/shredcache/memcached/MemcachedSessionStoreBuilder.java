package io.github.shredcache.memcached;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link MemcachedSessionStore}. Every setting can be set once and is checked when set;
 * {@link #build()} connects and fails with a message that says the fix.
 *
 * <p>Required: {@link #servers}. Defaults: a 50 ms operation timeout, no SASL, reconnect attempts
 * backing off from 1 s to at most 2 s, and a 2 s start-up check.
 *
 * <p>Not thread-safe; use a builder from one thread.
 */
public final class MemcachedSessionStoreBuilder {
  static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofMillis(50);
  static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(2);
  static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(2);

  // Null until set; the store applies the defaults.
  @Nullable String serversSpec;
  @Nullable List<InetSocketAddress> servers;
  @Nullable Duration operationTimeout;
  @Nullable Duration maxReconnectDelay;
  @Nullable Duration startupTimeout;
  @Nullable SaslPlainCredentials credentials;
  @Nullable Executor callbackExecutor;

  MemcachedSessionStoreBuilder() {}

  /**
   * The memcached servers, {@code host:port[,host:port...]} (IPv6 as {@code [addr]:port}). Names
   * are resolved now. Every node of a cluster must list the same servers, spelled the same way:
   * Ketama places keys by the server addresses, so two spellings of one list map keys differently.
   *
   * @throws IllegalArgumentException for a malformed, duplicated or unresolvable entry, e.g.
   *     {@code "memcached address must be host:port, was 'cache1'"}
   * @throws IllegalStateException if the servers were already set
   */
  public MemcachedSessionStoreBuilder servers(String servers) {
    requireUnset(this.servers, "servers", this.serversSpec);
    this.servers = ServerList.parse(servers);
    this.serversSpec = servers.strip();
    return this;
  }

  /**
   * The longest any single get, set or delete may take before its future completes exceptionally
   * with a {@link java.util.concurrent.TimeoutException}: 1 ms to 10 s, default 50 ms. Keep it
   * short: a lookup that waits for a slow server delays a TLS handshake that could have been a
   * full handshake instead.
   */
  public MemcachedSessionStoreBuilder operationTimeout(Duration timeout) {
    requireUnset(this.operationTimeout, "operation timeout", this.operationTimeout);
    this.operationTimeout =
        checkRange(timeout, Duration.ofMillis(1), Duration.ofSeconds(10), "operation timeout");
    return this;
  }

  /**
   * SASL PLAIN credentials for servers started with {@code memcached -S} (binary protocol only,
   * which this store always uses). The password is copied (the caller keeps ownership of {@code
   * password} and may zero it at once); the copy is zeroized when the store is closed. Wrong
   * credentials make {@link #build()} fail.
   *
   * @throws IllegalArgumentException if {@code user} is empty or {@code password} is empty
   */
  public MemcachedSessionStoreBuilder credentials(String user, char[] password) {
    requireUnset(this.credentials, "credentials", this.credentials);
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (user.isEmpty()) {
      throw new IllegalArgumentException("memcached SASL user must not be empty");
    }
    if (password.length == 0) {
      throw new IllegalArgumentException(
          "memcached SASL password for user '" + user + "' must not be empty");
    }
    this.credentials = new SaslPlainCredentials(user, password);
    return this;
  }

  /**
   * The longest wait between two attempts to reconnect to a server that went away: 1 s to 5
   * minutes, whole seconds, default 2 s. spymemcached backs off 1 s, 2 s, 4 s... up to this.
   * While a server is away, operations on its keys fail at once (see {@link
   * MemcachedSessionStore}).
   */
  public MemcachedSessionStoreBuilder maxReconnectDelay(Duration delay) {
    requireUnset(this.maxReconnectDelay, "max reconnect delay", this.maxReconnectDelay);
    this.maxReconnectDelay =
        checkRange(delay, Duration.ofSeconds(1), Duration.ofMinutes(5), "max reconnect delay");
    return this;
  }

  /**
   * How long {@link #build()} waits for each server to answer its start-up check: 100 ms to 1
   * minute, default 2 s.
   */
  public MemcachedSessionStoreBuilder startupTimeout(Duration timeout) {
    requireUnset(this.startupTimeout, "startup timeout", this.startupTimeout);
    this.startupTimeout =
        checkRange(timeout, Duration.ofMillis(100), Duration.ofMinutes(1), "startup timeout");
    return this;
  }

  /**
   * Where the store's futures complete. By default they complete on spymemcached's I/O thread
   * (answers) or the store's timer thread (timeouts): no thread hop, the lowest latency, but every
   * dependent stage that is not {@code ...Async} runs there too and delays all other memcached
   * traffic of this store. Give an executor here when callers attach slow stages; a rejected task
   * completes its future on the calling thread instead.
   */
  public MemcachedSessionStoreBuilder callbackExecutor(Executor executor) {
    requireUnset(this.callbackExecutor, "callback executor", this.callbackExecutor);
    this.callbackExecutor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Connects to the servers and checks each one once, synchronously, bounded by the start-up
   * timeout: one get of a probe key, authenticated if credentials are set. A server that does not
   * answer in time is only reported (the store fails open and reconnects later); a server that
   * rejects the credentials, or demands credentials that were not given, fails the build.
   *
   * <p>Call from a start-up thread, never from an event loop.
   *
   * @throws IllegalStateException if no servers were set, or a server rejected the SASL
   *     credentials (the message names the server and the user, never the password)
   */
  public MemcachedSessionStore build() {
    if (servers == null) {
      throw new IllegalStateException(
          "memcached servers are required: call servers(\"host:port[,host:port...]\")");
    }
    return MemcachedSessionStore.connect(this, servers);
  }

  Duration operationTimeoutOrDefault() {
    return operationTimeout != null ? operationTimeout : DEFAULT_OPERATION_TIMEOUT;
  }

  Duration maxReconnectDelayOrDefault() {
    return maxReconnectDelay != null ? maxReconnectDelay : DEFAULT_MAX_RECONNECT_DELAY;
  }

  Duration startupTimeoutOrDefault() {
    return startupTimeout != null ? startupTimeout : DEFAULT_STARTUP_TIMEOUT;
  }

  private static void requireUnset(
      @Nullable Object current, String name, @Nullable Object shown) {
    if (current != null) {
      throw new IllegalStateException(name + " was already set to " + shown);
    }
  }

  private static Duration checkRange(Duration value, Duration min, Duration max, String name) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name + " must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }
}
