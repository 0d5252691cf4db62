package io.github.shredcache.demo.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.shredcache.demo.CommandRun;
import io.github.shredcache.demo.cli.UsageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code certs --out}, and the node's certificate made in memory or read from PEM files. */
class CertsCommandTest {
  @TempDir Path dir;

  private static int run(String... args) {
    return CommandRun.run(args).code();
  }

  @Test
  void writesAPrivateKeyFileAndACertificateThatBelongTogether() throws Exception {
    Path out = dir.resolve("certs");
    assertThat(run("certs", "--out", out.toString())).isZero();
    Path key = out.resolve("key.pem");
    Path cert = out.resolve("cert.pem");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cert))).isEqualTo("rw-r--r--");
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n");
    assertThat(out).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".new"));

    ServerCertificate read = ServerCertificate.read(cert, key);
    X509Certificate leaf = read.chain().get(0);
    assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, "localhost"));
    leaf.checkValidity();
    assertSignsFor(read);
    assertThat(read.toString()).contains("CN=localhost").contains("redacted")
        .doesNotContain(Files.readString(key).substring(28, 60));
  }

  @Test
  void rsaAndAnotherName() throws Exception {
    Path out = dir.resolve("rsa");
    assertThat(run("certs", "--out", out.toString(), "--algorithm", "RSA", "--fqdn", "node.test")).isZero();
    ServerCertificate read = ServerCertificate.read(out.resolve("cert.pem"), out.resolve("key.pem"));
    assertThat(read.key().getAlgorithm()).isEqualTo("RSA");
    assertThat(read.chain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=node.test");
    assertSignsFor(read);
  }

  /**
   * A second run replaces an older, too open key file with a new private one, and overwrites the
   * old key's bytes (and those of a half-written file an interrupted run left) with zeros in place:
   * hard links to the old inodes, made before, read zeros of the same length afterwards.
   */
  @Test
  void rerunReplacesTheKeyWithANewPrivateFileAndZeroesTheOldBytes() throws Exception {
    Path out = dir.resolve("certs");
    assertThat(run("certs", "--out", out.toString())).isZero();
    Path key = out.resolve("key.pem");
    String first = Files.readString(key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Path oldKey = Files.createLink(dir.resolve("old-key-inode"), key);
    Path leftover = Files.writeString(out.resolve(".key.pem.new"), first.substring(0, 100));
    Path leftoverInode = Files.createLink(dir.resolve("leftover-inode"), leftover);

    assertThat(run("certs", "--out", out.toString())).isZero();

    assertThat(Files.readString(key)).isNotEqualTo(first);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    assertSignsFor(ServerCertificate.read(out.resolve("cert.pem"), key));
    assertThat(Files.readAllBytes(oldKey)).hasSize(first.length()).containsOnly(0);
    assertThat(Files.readAllBytes(leftoverInode)).hasSize(100).containsOnly(0);
    assertThat(leftover).doesNotExist();
  }

  @Test
  void unreadableKeyFileIsAUsageErrorThatDoesNotEchoIt() throws Exception {
    Path out = dir.resolve("certs");
    assertThat(run("certs", "--out", out.toString())).isZero();
    Path bad = Files.writeString(dir.resolve("bad.pem"),
        "-----BEGIN CERTIFICATE-----\nc2VjcmV0LXNlY3JldA==\n-----END CERTIFICATE-----\n",
        StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> ServerCertificate.read(out.resolve("cert.pem"), bad))
        .isInstanceOf(UsageException.class).hasMessageContaining("--key " + bad)
        .hasMessageNotContaining("c2VjcmV0");
    assertThatThrownBy(() -> ServerCertificate.read(bad, out.resolve("key.pem")))
        .isInstanceOf(UsageException.class).hasMessageContaining("--cert " + bad)
        .hasMessageNotContaining("c2VjcmV0");
  }

  private static void assertSignsFor(ServerCertificate c) throws Exception {
    String alg = c.key().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    Signature s = Signature.getInstance(alg);
    s.initSign(c.key());
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();
    Signature v = Signature.getInstance(alg);
    v.initVerify(c.chain().get(0).getPublicKey());
    v.update(new byte[] {1, 2, 3});
    assertThat(v.verify(sig)).as("the key belongs to the certificate").isTrue();
    c.chain().get(0).verify(c.chain().get(0).getPublicKey()); // self-signed
  }
}
