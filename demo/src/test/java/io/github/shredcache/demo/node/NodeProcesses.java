package io.github.shredcache.demo.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.github.shredcache.demo.cli.SecretFiles;
import io.github.shredcache.testing.tls.OpenSslClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Test support: runs the shaded demo jar as separate processes, and the {@code openssl} CLI.
 * Every process is bounded by a timeout and stopped by its own handle.
 */
final class NodeProcesses {
  static final Path JAR = Path.of("target", "shredcache-demo.jar");
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private NodeProcesses() {}

  record Result(int code, String out, String err) {}

  static List<String> javaJar(String... args) {
    return javaJar(List.of(), args);
  }

  /** The command running the jar with {@code args}, with extra JVM options before {@code -jar}. */
  static List<String> javaJar(List<String> jvmOptions, String... args) {
    assertThat(JAR).as("run 'mvn package' first: the ITs use the shaded jar").exists();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(JAR.toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Runs the jar to completion (at most 60 s) and returns its exit code and output. */
  static Result runJar(String... args) {
    return run(javaJar(args), null, Duration.ofSeconds(60));
  }

  /**
   * Runs {@code cmd} with {@code stdin} (may be null) to completion, bounded by {@code timeout}.
   * Output goes through files: reading a pipe while the JDK's process reaper drains it at exit can
   * lose the last lines.
   */
  static Result run(List<String> cmd, String stdin, Duration timeout) {
    Process p = null;
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("demo-out", ".txt");
      err = Files.createTempFile("demo-err", ".txt");
      p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("timed out after " + timeout + ": " + cmd);
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
      }
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temp file
      }
    }
  }

  /** A node process; {@link #close()} stops it (SIGTERM, then SIGKILL after 10 s). */
  static final class NodeProcess implements AutoCloseable {
    final Process process;
    final int port;
    final Path errFile;

    private NodeProcess(Process process, int port, Path errFile) {
      this.process = process;
      this.port = port;
      this.errFile = errFile;
    }

    /** Returns what the node logged so far. */
    String err() throws IOException {
      return Files.readString(errFile);
    }

    /** Waits (at most {@code timeout}) until the node's log contains {@code text}; returns the log. */
    String awaitLog(String text, Duration timeout) {
      return await("'" + text + "' in the node's log").atMost(timeout).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(200)).until(this::err, containsString(text));
    }

    /** Starts {@code node} with {@code args} and waits for its {@code listening on P} line. */
    static NodeProcess start(String... args) throws IOException, InterruptedException {
      return start(List.of(), args);
    }

    /** As {@link #start(String...)}, with extra JVM options (e.g. {@code -Djava.io.tmpdir=}). */
    static NodeProcess start(List<String> jvmOptions, String... args)
        throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(javaJar(jvmOptions, "node"));
      cmd.addAll(List.of(args));
      Path errFile = Files.createTempFile("demo-node-err", ".txt");
      errFile.toFile().deleteOnExit();
      Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
      try {
        p.getOutputStream().close();
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(64);
        Thread reader = new Thread(() -> {
          try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
              lines.offer(line);
            }
          } catch (IOException ignored) {
            // the process went away
          }
        });
        reader.setDaemon(true);
        reader.start();
        String first = lines.poll(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (first == null || !first.matches("listening on \\d+")) {
          throw new AssertionError("node did not start (first stdout line: " + first + "); stderr:\n"
              + Files.readString(errFile));
        }
        return new NodeProcess(p, Integer.parseInt(first.substring("listening on ".length())), errFile);
      } catch (IOException | InterruptedException | RuntimeException | Error e) {
        p.destroyForcibly();
        throw e;
      }
    }

    /** SIGTERM, waits; returns the exit code. */
    int stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      return process.exitValue();
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroy();
        try {
          if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
          }
        } catch (InterruptedException e) {
          process.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * Runs {@code openssl s_client} against 127.0.0.1:{@code port} with TLS 1.2, sends {@code GET /}
   * and returns everything it printed (handshake summary and the page).
   */
  static String sClient(int port, String... sessionArgs) throws IOException, InterruptedException {
    return request(port, "-tls1_2", sessionArgs);
  }

  /** As {@link #sClient} with the protocol option {@code version}, e.g. "-tls1_3". */
  static String request(int port, String version, String... args)
      throws IOException, InterruptedException {
    return OpenSslClient.to(port).args(version).args(args)
        .send("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").run().output();
  }

  /**
   * Sends two {@code GET /} on one TLS connection (JDK client, certificate not checked: the node's
   * is self-signed) and returns both responses.
   */
  static String twoRequestsOnOneConnection(int port) throws Exception {
    javax.net.ssl.TrustManager trustAll = new javax.net.ssl.X509TrustManager() {
      @Override
      public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

      @Override
      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    };
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(null, new javax.net.ssl.TrustManager[] {trustAll}, null);
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(10_000);
      StringBuilder both = new StringBuilder();
      for (int i = 0; i < 2; i++) {
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        both.append(readResponse(socket.getInputStream()));
      }
      return both.toString();
    }
  }

  /** Reads one HTTP response with a content-length body. */
  private static String readResponse(java.io.InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed after: " + head);
      }
      head.append((char) c);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
    assertThat(m.find()).as(head.toString()).isTrue();
    byte[] body = in.readNBytes(Integer.parseInt(m.group(1)));
    return head + new String(body, StandardCharsets.UTF_8);
  }

  /** Returns the node's metrics page. */
  static String scrape(int metricsPort) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** Makes a token file and a shared certificate with the jar; returns {token, cert, key}. */
  static Path[] keysAndCerts(Path dir) throws IOException {
    Result token = runJar("keys", "init", "--epoch-length", "1h");
    assertThat(token.code()).as(token.err()).isZero();
    Path tokenFile = SecretFiles.writePrivate(dir.resolve("token"), token.out());
    Result certs = runJar("certs", "--out", dir.resolve("certs").toString());
    assertThat(certs.code()).as(certs.err()).isZero();
    return new Path[] {tokenFile, dir.resolve("certs/cert.pem"), dir.resolve("certs/key.pem")};
  }
}
