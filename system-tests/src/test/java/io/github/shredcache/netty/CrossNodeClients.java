package io.github.shredcache.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.shredcache.testing.tls.OpenSslClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** What real clients see when a session made on one node is offered to another. */
final class CrossNodeClients {
  private CrossNodeClients() {}

  /**
   * {@code rounds} times: a new TLS 1.2 session from {@code openssl s_client -sess_out} on node A,
   * then {@code -sess_in} with it on node B. Returns node B's outputs.
   */
  static List<String> opensslAtoB(int portA, int portB, Path dir, int rounds, String... extra)
      throws Exception {
    List<String> outputs = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      String sess = dir.resolve("session-" + i + ".pem").toString();
      List<String> out = new ArrayList<>(List.of("-tls1_2", "-sess_out", sess));
      out.addAll(List.of(extra));
      String first = OpenSslClient.to(portA).args(out.toArray(new String[0])).run().output();
      if (!first.contains("New, TLSv1.2")) {
        throw new AssertionError("no new TLS 1.2 session from node A:\n" + first);
      }
      List<String> in = new ArrayList<>(List.of("-tls1_2", "-sess_in", sess));
      in.addAll(List.of(extra));
      outputs.add(OpenSslClient.to(portB).args(in.toArray(new String[0])).run().output());
    }
    return outputs;
  }

  /**
   * {@link #opensslAtoB} and checks that node B printed {@code Reused, TLSv1.2} every time.
   */
  static void assertOpensslResumesAtoB(int portA, int portB, Path dir, int rounds,
      String... extra) throws Exception {
    List<String> onB = opensslAtoB(portA, portB, dir, rounds, extra);
    assertThat(onB).hasSize(rounds)
        .allSatisfy(out -> assertThat(out).contains("Reused, TLSv1.2"));
  }

  /** A TLS 1.2 HTTP/1.1 exchange: the session ID (hex) the client ended up with and the reply. */
  record Exchange(String sessionIdHex, String response) {
    /** The body after the blank line. */
    String body() {
      int at = response.indexOf("\r\n\r\n");
      return at < 0 ? "" : response.substring(at + 4);
    }
  }

  /** {@code GET path} with {@code Connection: close} over TLS 1.2 from the JDK's client. */
  static Exchange jdkGet(SSLContext client, int port, String path) throws Exception {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.setEnabledProtocols(new String[] {"TLSv1.2"});
      s.startHandshake();
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      for (int n; reply.size() < 1 << 20 && (n = in.read(buf)) >= 0; ) {
        reply.write(buf, 0, n);
      }
      return new Exchange(HexFormat.of().formatHex(s.getSession().getId()),
          reply.toString(StandardCharsets.UTF_8));
    }
  }
}
