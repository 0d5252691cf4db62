package io.github.shredcache.demo.certs;

import io.github.shredcache.demo.cli.SecretFiles;
import io.github.shredcache.demo.cli.UsageException;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A node's TLS identity: its private key and certificate chain (leaf first), held in memory. Made
 * once at start, either read from the PEM files of {@code --cert}/{@code --key} or generated as a
 * throwaway self-signed certificate; nothing of it is written anywhere unless {@link #writePem} is
 * called ({@code certs --out}, the local cluster), and then the key goes straight into a new file
 * of mode 600.
 *
 * <p>Immutable. {@link #toString()} never shows the key.
 */
public final class ServerCertificate {
  /** Key algorithms offered for self-signed certificates. */
  public enum Algorithm { EC, RSA }

  private static final Duration VALIDITY = Duration.ofDays(365);

  private final PrivateKey key;
  private final List<X509Certificate> chain;

  private ServerCertificate(PrivateKey key, List<X509Certificate> chain) {
    this.key = key;
    this.chain = List.copyOf(chain);
  }

  /** The private key. */
  public PrivateKey key() {
    return key;
  }

  /** The certificate chain, leaf first. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /**
   * Generates a key pair (EC P-256 or RSA 2048) and a self-signed certificate for {@code fqdn}
   * (subject CN and DNS subject alternative name), valid from a day ago for a year. In memory only.
   */
  public static ServerCertificate selfSigned(Algorithm algorithm, String fqdn) {
    try {
      SecureRandom random = new SecureRandom();
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm == Algorithm.EC ? "EC" : "RSA");
      generator.initialize(algorithm == Algorithm.EC ? new ECGenParameterSpec("secp256r1")
          : new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4), random);
      KeyPair pair = generator.generateKeyPair();
      X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, fqdn).build();
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
          new BigInteger(64, random).setBit(63), Date.from(now.minus(Duration.ofDays(1))),
          Date.from(now.plus(VALIDITY)), subject, pair.getPublic())
          .addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(new GeneralName(GeneralName.dNSName, fqdn)));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(
          new JcaContentSignerBuilder(algorithm == Algorithm.EC ? "SHA256withECDSA" : "SHA256withRSA")
              .build(pair.getPrivate())));
      return new ServerCertificate(pair.getPrivate(), List.of(cert));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("this JDK cannot make an " + algorithm + " certificate", e);
    }
  }

  /**
   * Reads the certificate chain (PEM, leaf first) and the unencrypted private key (PEM: PKCS#8
   * {@code PRIVATE KEY}, {@code EC PRIVATE KEY} or {@code RSA PRIVATE KEY}) once. The buffers the
   * key file was read into are zeroized; what Bouncy Castle's parser copies is garbage once this
   * returns.
   *
   * @throws UsageException naming the option and file (never their contents) if either cannot be
   *     read or parsed
   */
  public static ServerCertificate read(Path certFile, Path keyFile) {
    List<X509Certificate> chain = new ArrayList<>();
    try (InputStream in = Files.newInputStream(certFile)) {
      for (java.security.cert.Certificate c :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        chain.add((X509Certificate) c);
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new UsageException("--cert " + certFile + ": not a PEM certificate chain ("
          + e.getClass().getSimpleName() + ")");
    }
    if (chain.isEmpty()) {
      throw new UsageException("--cert " + certFile
          + ": no '-----BEGIN CERTIFICATE-----' block found (expected PEM, leaf first)");
    }
    char[] pem = SecretFiles.readChars(keyFile, "--key");
    try (PEMParser parser = new PEMParser(new CharArrayReader(pem))) {
      Object o = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      PrivateKey key;
      if (o instanceof PEMKeyPair pair) {
        key = converter.getKeyPair(pair).getPrivate();
      } else if (o instanceof PrivateKeyInfo info) {
        key = converter.getPrivateKey(info);
      } else {
        throw new UsageException("--key " + keyFile + ": no unencrypted private key found (expected"
            + " PEM 'PRIVATE KEY', 'EC PRIVATE KEY' or 'RSA PRIVATE KEY')");
      }
      return new ServerCertificate(key, chain);
    } catch (IOException e) {
      throw new UsageException("--key " + keyFile + ": not a PEM private key ("
          + e.getClass().getSimpleName() + ")");
    } finally {
      Arrays.fill(pem, '\0');
    }
  }

  /**
   * Writes the certificate chain to {@code certFile} (mode 644) and the key, PEM PKCS#8, to {@code
   * keyFile}: a new file created with mode 600 and renamed over any old one (whose bytes are then
   * overwritten in place). The key's encodings are zeroized after writing.
   */
  public void writePem(Path certFile, Path keyFile) throws IOException {
    StringBuilder certs = new StringBuilder();
    try {
      for (X509Certificate c : chain) {
        certs.append("-----BEGIN CERTIFICATE-----\n")
            .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded()))
            .append("\n-----END CERTIFICATE-----\n");
      }
    } catch (CertificateEncodingException e) {
      throw new IOException("cannot encode the certificate", e);
    }
    Files.writeString(certFile, certs, StandardCharsets.US_ASCII);
    try {
      Files.setPosixFilePermissions(certFile, PosixFilePermissions.fromString("rw-r--r--"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system: the default permissions stay
    }

    byte[] der = key.getEncoded(); // PKCS#8
    byte[] base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encode(der);
    Arrays.fill(der, (byte) 0);
    String head = "-----BEGIN PRIVATE KEY-----\n";
    String tail = "\n-----END PRIVATE KEY-----";
    char[] text = new char[head.length() + base64.length + tail.length()];
    try {
      head.getChars(0, head.length(), text, 0);
      for (int i = 0; i < base64.length; i++) {
        text[head.length() + i] = (char) base64[i];
      }
      tail.getChars(0, tail.length(), text, head.length() + base64.length);
      SecretFiles.replaceAtomically(keyFile, text); // adds the final line break
    } finally {
      Arrays.fill(base64, (byte) 0);
      Arrays.fill(text, '\0');
    }
  }

  @Override
  public String toString() {
    return "ServerCertificate[" + chain.get(0).getSubjectX500Principal().getName() + ", "
        + key.getAlgorithm() + " key redacted]";
  }
}
