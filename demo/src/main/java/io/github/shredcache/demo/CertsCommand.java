package io.github.shredcache.demo;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code certs}: writes a self-signed certificate for {@code localhost} ({@code cert.pem}) and its
 * private key ({@code key.pem}, mode 600) so that every node of a demo serves the same one. Demo
 * use only.
 */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = {
      "Write a self-signed certificate (cert.pem) and key (key.pem) for all nodes of a demo.",
      "Pass them to every node with --cert DIR/cert.pem --key DIR/key.pem. For demos and tests only."
    })
final class CertsCommand implements Callable<Integer> {
  /** Key algorithms offered. */
  enum Algorithm { EC, RSA }

  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write cert.pem and key.pem into (created if missing).")
  Path out;

  @Option(names = "--algorithm", defaultValue = "EC", paramLabel = "EC|RSA", description = "Key algorithm: EC (P-256) or RSA (2048 bits); default ${DEFAULT-VALUE}.")
  Algorithm algorithm;

  @Option(names = "--fqdn", defaultValue = "localhost", paramLabel = "NAME", description = "Host name in the certificate (default ${DEFAULT-VALUE}).")
  String fqdn;

  @Override
  public Integer call() throws IOException, CertificateException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new UsageException("--out " + out + ": exists and is not a directory");
    }
    Files.createDirectories(out);
    SelfSignedCertificate ssc = generate(algorithm, fqdn);
    try {
      Path cert = out.resolve("cert.pem");
      Path key = out.resolve("key.pem");
      Files.copy(ssc.certificate().toPath(), cert, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(ssc.privateKey().toPath(), key, StandardCopyOption.REPLACE_EXISTING);
      try {
        Files.setPosixFilePermissions(cert, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: leave the default permissions
      }
      PrintWriter w = spec.commandLine().getOut();
      w.println("wrote " + cert + " and " + key + " (" + algorithm + ", " + fqdn + ")");
      w.flush();
    } finally {
      ssc.delete();
    }
    return 0;
  }

  /** Makes a throwaway self-signed certificate; the caller deletes its temporary files. */
  static SelfSignedCertificate generate(Algorithm algorithm, String fqdn) throws CertificateException {
    return SelfSignedCertificate.builder()
        .fqdn(fqdn)
        .algorithm(algorithm == Algorithm.EC ? "EC" : "RSA")
        .bits(algorithm == Algorithm.EC ? 256 : 2048)
        .build();
  }
}
