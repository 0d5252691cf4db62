package io.github.shredcache.testing.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for tests, made in memory with fresh keys: a self-signed server certificate for
 * {@code localhost}, certificate authorities and the certificates they issue.
 *
 * <pre>{@code
 * TestCertificate server = TestPki.localhost();           // EC P-256, self-signed
 * SslContextBuilder.forServer(server.privateKey(), server.certificate());
 * TestCertificate ca = TestPki.ca("client CA");
 * TestCertificate client = TestPki.issue(ca, "client", Duration.ofMinutes(5));
 * }</pre>
 *
 * <p>Every certificate is valid from a minute ago (self-signed ones and CAs for a day). Keys are
 * EC P-256 signed with SHA256withECDSA unless {@link KeyType#RSA_2048} is asked for. Thread-safe.
 */
public final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration DAY = Duration.ofDays(1);

  /** The key of a certificate. */
  public enum KeyType {
    /** ECDSA on P-256 (secp256r1). */
    EC_P256,
    /** RSA with a 2048-bit modulus. */
    RSA_2048
  }

  /**
   * The cast of context-binding tests: client CAs X and Y, two server certificates ("one.test",
   * "two.test") of one server CA, and a client certificate issued by X.
   */
  public record Cast(TestCertificate caX, TestCertificate caY, TestCertificate serverOne,
      TestCertificate serverTwo, TestCertificate clientX) {
    /** Makes a new cast with fresh keys. */
    public static Cast create() throws GeneralSecurityException {
      TestCertificate caX = ca("CA X");
      TestCertificate serverCa = ca("server CA");
      return new Cast(caX, ca("CA Y"), issue(serverCa, "one.test", DAY),
          issue(serverCa, "two.test", DAY), issue(caX, "client of X", DAY));
    }
  }

  private TestPki() {}

  /**
   * A self-signed EC P-256 certificate for {@code CN=localhost} with the subject alternative names
   * {@code localhost} and {@code 127.0.0.1}: the server certificate of most TLS tests.
   */
  public static TestCertificate localhost() throws GeneralSecurityException {
    return selfSigned("localhost", KeyType.EC_P256);
  }

  /**
   * A self-signed certificate for {@code CN=<commonName>} with {@code commonName} (and {@code
   * 127.0.0.1} for "localhost") as subject alternative name; no key usage restriction, so it
   * serves any cipher suite its key type allows.
   */
  public static TestCertificate selfSigned(String commonName, KeyType keyType)
      throws GeneralSecurityException {
    KeyPair kp = keyPair(keyType);
    X500Name name = new X500Name("CN=" + commonName);
    X509v3CertificateBuilder b = builder(name, name, DAY, kp.getPublic());
    try {
      GeneralName dns = new GeneralName(GeneralName.dNSName, commonName);
      b.addExtension(Extension.subjectAlternativeName, false, "localhost".equals(commonName)
          ? new GeneralNames(new GeneralName[] {dns, new GeneralName(GeneralName.iPAddress,
              InetAddress.getLoopbackAddress().getHostAddress())})
          : new GeneralNames(dns));
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot encode the subject alternative name", e);
    }
    return new TestCertificate(sign(b, kp.getPrivate(), keyType), kp.getPrivate());
  }

  /** A self-signed EC P-256 certificate authority {@code CN=<commonName>}, valid for a day. */
  public static TestCertificate ca(String commonName) throws GeneralSecurityException {
    KeyPair kp = keyPair(KeyType.EC_P256);
    X500Name name = new X500Name("CN=" + commonName);
    X509v3CertificateBuilder b = builder(name, name, DAY, kp.getPublic());
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot encode the CA extensions", e);
    }
    return new TestCertificate(sign(b, kp.getPrivate(), KeyType.EC_P256), kp.getPrivate());
  }

  /**
   * An EC P-256 end-entity certificate {@code CN=<commonName>} issued by {@code ca}, valid from a
   * minute ago for {@code validity} (short validities test expiry).
   */
  public static TestCertificate issue(TestCertificate ca, String commonName, Duration validity)
      throws GeneralSecurityException {
    KeyPair kp = keyPair(KeyType.EC_P256);
    X500Name issuer = X500Name.getInstance(
        ca.certificate().getSubjectX500Principal().getEncoded());
    X509v3CertificateBuilder b =
        builder(issuer, new X500Name("CN=" + commonName), validity, kp.getPublic());
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot encode the extensions", e);
    }
    return new TestCertificate(sign(b, ca.privateKey(), KeyType.EC_P256), kp.getPrivate());
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject,
      Duration validity, PublicKey key) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).add(BigInteger.ONE),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)), subject, key);
  }

  private static KeyPair keyPair(KeyType type) throws GeneralSecurityException {
    if (type == KeyType.RSA_2048) {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048, RANDOM);
      return g.generateKeyPair();
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey,
      KeyType issuerKeyType) throws GeneralSecurityException {
    String algorithm = issuerKeyType == KeyType.RSA_2048 ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign the test certificate", e);
    }
  }
}
