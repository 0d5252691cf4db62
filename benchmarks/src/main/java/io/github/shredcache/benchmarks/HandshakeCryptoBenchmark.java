package io.github.shredcache.benchmarks;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The server-side public-key work of one full TLS handshake, per implementation, side by side in
 * one run: the ephemeral key agreement (X25519, P-256) and the signature (RSA-2048 PKCS#1 v1.5 and
 * PSS, ECDSA P-256), each through the JDK's providers and through Bouncy Castle (its provider, or
 * its lightweight X25519 arithmetic, which the bc engine now uses) and through Amazon Corretto
 * Crypto Provider (AWS-LC), with the private key translated into that provider's key once, as the
 * bc engine does. Also the cost of 32 random bytes from the JDK's Linux default generator and from
 * its DRBG.
 *
 * <pre>
 * java -jar benchmarks/target/shredcache-benchmarks.jar HandshakeCryptoBenchmark -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandshakeCryptoBenchmark {
  private static final Provider BC = new BouncyCastleProvider();
  private static final byte[] TRANSCRIPT = new byte[512];

  private static final Provider ACCP = accp();
  private KeyPair rsa;
  private KeyPair ec;
  private KeyPair rsaAccp;
  private KeyPair ecAccp;
  private KeyPair x25519Peer;
  private byte[] x25519PeerRaw;
  private KeyPair p256Peer;
  private SecureRandom nativePrng;
  private SecureRandom drbg;
  private PSSParameterSpec pss;

  @Setup
  public void setUp() throws Exception {
    KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
    r.initialize(2048);
    rsa = r.generateKeyPair();
    KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
    e.initialize(new ECGenParameterSpec("secp256r1"));
    ec = e.generateKeyPair();
    p256Peer = e.generateKeyPair();
    x25519Peer = KeyPairGenerator.getInstance("X25519").generateKeyPair();
    byte[] scalar = new byte[X25519.SCALAR_SIZE];
    X25519.generatePrivateKey(new SecureRandom(), scalar);
    x25519PeerRaw = new byte[X25519.POINT_SIZE];
    X25519.generatePublicKey(scalar, 0, x25519PeerRaw, 0);
    nativePrng = new SecureRandom();
    drbg = SecureRandom.getInstance("DRBG");
    pss = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
    rsaAccp = new KeyPair(rsa.getPublic(),
        (PrivateKey) KeyFactory.getInstance("RSA", ACCP).translateKey(rsa.getPrivate()));
    ecAccp = new KeyPair(ec.getPublic(),
        (PrivateKey) KeyFactory.getInstance("EC", ACCP).translateKey(ec.getPrivate()));
  }

  /** The provider itself (a compile dependency here); fails the run if its library did not load. */
  private static Provider accp() {
    AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
    return AmazonCorrettoCryptoProvider.INSTANCE;
  }

  @Benchmark
  public byte[] p256Accp() throws Exception {
    return p256(KeyPairGenerator.getInstance("EC", ACCP), KeyAgreement.getInstance("ECDH", ACCP));
  }

  @Benchmark
  public byte[] rsaPkcs1Accp() throws Exception {
    return sign(Signature.getInstance("SHA256withRSA", ACCP), rsaAccp, null);
  }

  @Benchmark
  public byte[] rsaPssAccp() throws Exception {
    return sign(Signature.getInstance("RSASSA-PSS", ACCP), rsaAccp, pss);
  }

  @Benchmark
  public byte[] ecdsaP256Accp() throws Exception {
    return sign(Signature.getInstance("SHA256withECDSA", ACCP), ecAccp, null);
  }

  @Benchmark
  public byte[] x25519Jdk() throws Exception {
    KeyPair mine = KeyPairGenerator.getInstance("X25519").generateKeyPair();
    KeyAgreement ka = KeyAgreement.getInstance("X25519");
    ka.init(mine.getPrivate());
    ka.doPhase(x25519Peer.getPublic(), true);
    return ka.generateSecret();
  }

  @Benchmark
  public byte[] x25519BouncyCastleLightweight() {
    byte[] scalar = new byte[X25519.SCALAR_SIZE];
    X25519.generatePrivateKey(drbg, scalar);
    byte[] pub = new byte[X25519.POINT_SIZE];
    X25519.generatePublicKey(scalar, 0, pub, 0);
    byte[] shared = new byte[X25519.POINT_SIZE];
    X25519.calculateAgreement(scalar, 0, x25519PeerRaw, 0, shared, 0);
    return shared;
  }

  @Benchmark
  public byte[] p256Jdk() throws Exception {
    return p256(KeyPairGenerator.getInstance("EC"), KeyAgreement.getInstance("ECDH"));
  }

  @Benchmark
  public byte[] p256BouncyCastle() throws Exception {
    return p256(KeyPairGenerator.getInstance("EC", BC), KeyAgreement.getInstance("ECDH", BC));
  }

  /** An ephemeral P-256 key pair and its ECDH agreement with the peer's key, as a handshake does. */
  private byte[] p256(KeyPairGenerator g, KeyAgreement ka) throws Exception {
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair mine = g.generateKeyPair();
    ka.init(mine.getPrivate());
    ka.doPhase(p256Peer.getPublic(), true);
    return ka.generateSecret();
  }

  @Benchmark
  public byte[] rsaPkcs1Jdk() throws Exception {
    return sign(Signature.getInstance("SHA256withRSA"), rsa, null);
  }

  @Benchmark
  public byte[] rsaPkcs1BouncyCastle() throws Exception {
    return sign(Signature.getInstance("SHA256withRSA", BC), rsa, null);
  }

  @Benchmark
  public byte[] rsaPssJdk() throws Exception {
    return sign(Signature.getInstance("RSASSA-PSS"), rsa, pss);
  }

  @Benchmark
  public byte[] rsaPssBouncyCastle() throws Exception {
    return sign(Signature.getInstance("SHA256WITHRSAANDMGF1", BC), rsa, pss);
  }

  @Benchmark
  public byte[] ecdsaP256Jdk() throws Exception {
    return sign(Signature.getInstance("SHA256withECDSA"), ec, null);
  }

  @Benchmark
  public byte[] ecdsaP256BouncyCastle() throws Exception {
    return sign(Signature.getInstance("SHA256withECDSA", BC), ec, null);
  }

  @Benchmark
  public byte[] random32NativePrng() {
    byte[] b = new byte[32];
    nativePrng.nextBytes(b);
    return b;
  }

  @Benchmark
  public byte[] random32Drbg() {
    byte[] b = new byte[32];
    drbg.nextBytes(b);
    return b;
  }

  private byte[] sign(Signature s, KeyPair key, PSSParameterSpec params) throws Exception {
    if (params != null) {
      s.setParameter(params);
    }
    s.initSign(key.getPrivate(), drbg);
    s.update(TRANSCRIPT);
    return s.sign();
  }
}
