package io.github.shredcache.demo.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one run of the {@link LoadClient} does. Immutable; validated on construction with messages
 * that say the fix.
 *
 * @param targets where to connect, used round-robin
 * @param connections how many connections to make in total (the run stops after that many)
 * @param concurrency how many connections are in flight at once (one session slot each)
 * @param resume whether and where sessions are resumed
 * @param tlsVersion {@code "1.2"} or {@code "1.3"}
 * @param maxDuration the run stops after this long even if connections remain
 * @param connectionTimeout the most one connection may take (connect, handshake, request, answer)
 * @param insecure trust any server certificate (demo only)
 * @param caFile trust only this PEM certificate (chain check only: no host name check)
 * @param provider which TLS client implementation to use
 * @param threads event loop threads of the client
 */
public record ClientConfig(
    List<Target> targets,
    int connections,
    int concurrency,
    ResumeMode resume,
    String tlsVersion,
    Duration maxDuration,
    Duration connectionTimeout,
    boolean insecure,
    Optional<Path> caFile,
    Provider provider,
    int threads) {

  /** Whether and where a connection resumes the session of an earlier one. */
  public enum ResumeMode {
    /** Every connection does a full handshake. */
    NONE,
    /** Each slot sticks to one target and resumes its session there. */
    SAME,
    /**
     * Each slot moves to the next target on every connection and offers the session it got
     * elsewhere; with a single balancer address the balancer decides where it lands.
     */
    CROSS
  }

  /** The TLS client implementation. */
  public enum Provider {
    /** Netty's OpenSSL engine (BoringSSL from netty-tcnative) if it loads, else the JDK. */
    AUTO,
    /** Netty's OpenSSL engine (BoringSSL from netty-tcnative). */
    OPENSSL,
    /** The JDK's SSLEngine (SunJSSE). */
    JDK
  }

  /** One {@code host:port} to connect to. */
  public record Target(String host, int port) {
    /** Checks the host is not empty and the port is 1..65535. */
    public Target {
      Objects.requireNonNull(host, "host");
      if (host.isEmpty()) {
        throw new IllegalArgumentException("target host is empty; use host:port, e.g. 127.0.0.1:8443");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("target port must be 1..65535, was " + port);
      }
    }

    /** Parses {@code host:port} (IPv6 as {@code [::1]:port}). */
    static Target parse(String text) {
      String s = text.trim();
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || colon == s.length() - 1) {
        throw new IllegalArgumentException("target must be host:port, was '" + s + "'");
      }
      String host = s.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("target port must be a number, was '" + s + "'");
      }
      return new Target(host, port);
    }

    /** Parses a comma-separated list of targets. */
    static List<Target> parseList(String text) {
      List<Target> out = new ArrayList<>();
      for (String part : text.split(",")) {
        if (!part.isBlank()) {
          out.add(parse(part));
        }
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("--targets needs at least one host:port");
      }
      return List.copyOf(out);
    }

    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** Checks every component; the messages name the flag to fix. */
  public ClientConfig {
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("--targets needs at least one host:port");
    }
    if (connections < 1) {
      throw new IllegalArgumentException("--connections must be at least 1, was " + connections);
    }
    if (concurrency < 1 || concurrency > 10_000) {
      throw new IllegalArgumentException("--concurrency must be 1..10000, was " + concurrency);
    }
    Objects.requireNonNull(resume, "resume");
    if (!"1.2".equals(tlsVersion) && !"1.3".equals(tlsVersion)) {
      throw new IllegalArgumentException("--tls must be 1.2 or 1.3, was '" + tlsVersion + "'");
    }
    if (maxDuration.isNegative() || maxDuration.isZero()) {
      throw new IllegalArgumentException("--max-duration must be positive, was " + maxDuration);
    }
    if (connectionTimeout.isNegative() || connectionTimeout.isZero()) {
      throw new IllegalArgumentException("--timeout must be positive, was " + connectionTimeout);
    }
    if (insecure == caFile.isPresent()) {
      throw new IllegalArgumentException(insecure
          ? "choose one of --insecure and --ca, not both"
          : "say how to trust the nodes: --ca cert.pem (the nodes' certificate) or --insecure"
              + " (trust any certificate: demo only)");
    }
    Objects.requireNonNull(provider, "provider");
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("--threads must be 1..64, was " + threads);
    }
  }

  /** The JSSE protocol name. */
  String protocolName() {
    return "TLSv" + tlsVersion;
  }
}
