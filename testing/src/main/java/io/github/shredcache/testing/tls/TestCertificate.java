package io.github.shredcache.testing.tls;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Stream;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.jspecify.annotations.Nullable;

/**
 * A certificate and its private key from {@link TestPki}, in memory and, on demand, as PEM files
 * (for {@code openssl -cert/-key}, or a server configured with files).
 *
 * <p>{@link #certificateFile()} and {@link #privateKeyFile()} write both files once into a new
 * temporary directory that {@link #close()} deletes; {@link #writePem} writes them into a directory
 * the test owns instead. The key file is PKCS#8 ({@code BEGIN PRIVATE KEY}) and unencrypted: test
 * keys only. Thread-safe.
 */
public final class TestCertificate implements AutoCloseable {
  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private Path @Nullable [] files;
  private @Nullable Path tempDir;

  TestCertificate(X509Certificate certificate, PrivateKey privateKey) {
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
  }

  /** Returns the certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** Returns the private key of the certificate. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** Returns the chain a server presents: this certificate alone (its issuer is the trust anchor). */
  public X509Certificate[] chain() {
    return new X509Certificate[] {certificate};
  }

  /** Returns the certificate as a PEM file, written on first use. */
  public synchronized File certificateFile() {
    return files()[0].toFile();
  }

  /** Returns the private key as a PKCS#8 PEM file, written on first use. */
  public synchronized File privateKeyFile() {
    return files()[1].toFile();
  }

  /** Writes {@code <name>.crt} and {@code <name>.key} into {@code dir}; returns both paths. */
  public Path[] writePem(Path dir, String name) throws IOException {
    Path crt = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    try (Writer w = Files.newBufferedWriter(crt, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(certificate);
    }
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(privateKey.getEncoded())
        + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
    return new Path[] {crt, key};
  }

  private Path[] files() {
    if (files == null) {
      try {
        tempDir = Files.createTempDirectory("test-certificate-");
        files = writePem(tempDir, "cert");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the test certificate's PEM files", e);
      }
    }
    return files;
  }

  /** Deletes the files {@link #certificateFile()} and {@link #privateKeyFile()} wrote, if any. */
  @Override
  public synchronized void close() {
    if (tempDir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(tempDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a temporary directory
    }
    tempDir = null;
    files = null;
  }

  @Override
  public String toString() {
    return "TestCertificate[" + certificate.getSubjectX500Principal().getName() + "]";
  }
}
