package io.github.shredcache.netty;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificate authorities and the certificates they issue, for tests: P-256 keys, made in memory;
 * PEM files (for the openssl CLI) are written only into a directory the test owns.
 */
final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A certificate and its key; {@link #pem} writes them for {@code openssl -cert/-key}. */
  record Issued(X509Certificate cert, PrivateKey key) {
    /** Writes {@code <name>.crt} and {@code <name>.key} into {@code dir}; returns both paths. */
    Path[] pem(Path dir, String name) throws IOException {
      Path crt = dir.resolve(name + ".crt");
      Path key = dir.resolve(name + ".key");
      write(crt, cert);
      // PKCS#8, as the JDK encodes it.
      Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(this.key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
      return new Path[] {crt, key};
    }

    X509Certificate[] chain() {
      return new X509Certificate[] {cert};
    }
  }

  /**
   * The cast of the context binding tests: client CAs X and Y, two server certificates
   * ("one.test", "two.test") of one server CA, and a client certificate issued by X.
   */
  record Cast(Issued caX, Issued caY, Issued serverOne, Issued serverTwo, Issued clientX) {
    static Cast create() throws Exception {
      Issued caX = ca("CA X");
      Issued serverCa = ca("server CA");
      return new Cast(caX, ca("CA Y"), leaf(serverCa, "one.test", Duration.ofDays(1)),
          leaf(serverCa, "two.test", Duration.ofDays(1)),
          leaf(caX, "client of X", Duration.ofDays(1)));
    }
  }

  private TestPki() {}

  /** A self-signed CA valid for a day. */
  static Issued ca(String commonName) throws Exception {
    KeyPair kp = ecKeyPair();
    X500Name name = new X500Name("CN=" + commonName);
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name,
        kp.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true,
        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
    return new Issued(sign(b, kp.getPrivate()), kp.getPrivate());
  }

  /** A leaf certificate issued by {@code ca}, valid from a minute ago for {@code validity}. */
  static Issued leaf(Issued ca, String commonName, Duration validity) throws Exception {
    KeyPair kp = ecKeyPair();
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.cert(), serial(),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)),
        new X500Name("CN=" + commonName), kp.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    return new Issued(sign(b, ca.key()), kp.getPrivate());
  }

  private static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
  }

  private static void write(Path file, X509Certificate o) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(o);
    }
  }
}
