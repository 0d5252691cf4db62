package io.github.shredcache.testing.tls;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The JDK's TLS client against a test server on 127.0.0.1. Its {@link SSLContext} keeps the
 * client's sessions (keyed by host and port), so a second connection to the same port, for
 * example through a {@code Balancer} to another node, offers the first one's session.
 */
public final class JdkTlsClient {
  private static final int TIMEOUT_MILLIS = 10_000;

  private JdkTlsClient() {}

  /**
   * A new client context that accepts any server certificate (test servers are self-signed; never
   * outside tests), with an empty session cache of its own.
   */
  public static SSLContext trustingAnyServer() throws GeneralSecurityException {
    TrustManager any = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(null, new TrustManager[] {any}, null);
    return c;
  }

  /**
   * One connection to an echo server on 127.0.0.1:{@code port} over {@code protocol} (e.g.
   * "TLSv1.2"): writes {@code payload} (on a second thread, so a large payload cannot deadlock)
   * and returns as many bytes as it read back. 10 s socket timeouts.
   */
  public static byte[] echo(SSLContext client, int port, String protocol, byte[] payload)
      throws IOException, InterruptedException {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(TIMEOUT_MILLIS);
      s.setEnabledProtocols(new String[] {protocol});
      s.startHandshake();
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] back = new byte[payload.length];
      AtomicReference<IOException> writeFailure = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        try {
          out.write(payload);
          out.flush();
        } catch (IOException e) {
          writeFailure.set(e);
        }
      }, "echo-writer");
      writer.start();
      in.readFully(back);
      writer.join(TIMEOUT_MILLIS);
      if (writeFailure.get() != null) {
        throw new UncheckedIOException("writing the payload failed", writeFailure.get());
      }
      return back;
    }
  }
}
