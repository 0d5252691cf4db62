package io.github.shredcache.demo.certs;

import io.github.shredcache.demo.certs.ServerCertificate.Algorithm;
import io.github.shredcache.demo.cli.UsageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code certs}: writes a self-signed certificate for {@code localhost} ({@code cert.pem}) and its
 * private key ({@code key.pem}) so that every node of a demo serves the same one. The key is made in
 * memory and written only to {@code key.pem}, a file created with mode 600 (no temporary copy
 * elsewhere). Demo use only.
 */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = {
      "Write a self-signed certificate (cert.pem) and key (key.pem) for all nodes of a demo.",
      "Pass them to every node with --cert DIR/cert.pem --key DIR/key.pem. For demos and tests only."
    })
public final class CertsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write cert.pem and key.pem into (created if missing).")
  Path out;

  @Option(names = "--algorithm", defaultValue = "EC", paramLabel = "EC|RSA", description = "Key algorithm: EC (P-256) or RSA (2048 bits); default ${DEFAULT-VALUE}.")
  Algorithm algorithm;

  @Option(names = "--fqdn", defaultValue = "localhost", paramLabel = "NAME", description = "Host name in the certificate (default ${DEFAULT-VALUE}).")
  String fqdn;

  @Override
  public Integer call() throws IOException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new UsageException("--out " + out + ": exists and is not a directory");
    }
    Files.createDirectories(out);
    Path cert = out.resolve("cert.pem");
    Path key = out.resolve("key.pem");
    ServerCertificate.selfSigned(algorithm, fqdn).writePem(cert, key);
    PrintWriter w = spec.commandLine().getOut();
    w.println("wrote " + cert + " and " + key + " (" + algorithm + ", " + fqdn + ")");
    w.flush();
    return 0;
  }
}
