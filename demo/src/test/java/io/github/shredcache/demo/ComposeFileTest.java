package io.github.shredcache.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks docker-compose.yml, the Dockerfile and the HAProxy configuration without a Docker engine:
 * Debian's {@code docker-compose config -q} must accept the file, and a plain reading of the text
 * must find the services, the tmpfs key volume and the read-only mounts the README promises.
 */
class ComposeFileTest {
  private static Path root;

  @BeforeAll
  static void findRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("docker-compose.yml"))) {
      p = p.getParent();
    }
    assertThat(p).as("docker-compose.yml above " + Path.of("").toAbsolutePath()).isNotNull();
    root = p;
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static String[] run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
        .start();
    try {
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("docker-compose finished in time").isTrue();
      return new String[] {String.valueOf(p.exitValue()), new String(out, StandardCharsets.UTF_8)};
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void dockerComposeAcceptsTheFile() throws Exception {
    assumeTrue(onPath("docker-compose"),
        "docker-compose is not installed: skipping the compose validation (.ci/run installs"
            + " Debian's docker-compose; apt-get install docker-compose)");
    String[] r = run("docker-compose", "-f", "docker-compose.yml", "config", "-q");
    assertThat(r[0]).as("docker-compose config -q said: " + r[1]).isEqualTo("0");
    String[] services = run("docker-compose", "-f", "docker-compose.yml", "config", "--services");
    assertThat(services[0]).as(services[1]).isEqualTo("0");
    assertThat(services[1].lines()).containsExactlyInAnyOrder("memcached1", "memcached2", "keys",
        "keys-advancer", "node1", "node2", "node3", "haproxy", "client");
  }

  /** Top-level section name to its lines (YAML-less: indentation only). */
  private static Map<String, List<String>> sections(List<String> lines) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    List<String> current = null;
    for (String line : lines) {
      if (!line.isEmpty() && !line.startsWith(" ") && !line.startsWith("#") && line.contains(":")) {
        current = new ArrayList<>();
        out.put(line.substring(0, line.indexOf(':')), current);
      } else if (current != null) {
        current.add(line);
      }
    }
    return out;
  }

  /** Second-level keys of a section (two-space indent) to their lines. */
  private static Map<String, List<String>> children(List<String> section) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    List<String> current = null;
    for (String line : section) {
      if (line.matches("^  [A-Za-z0-9_-]+:.*$")) {
        current = new ArrayList<>();
        out.put(line.trim().substring(0, line.trim().indexOf(':')), current);
      } else if (current != null) {
        current.add(line);
      }
    }
    return out;
  }

  @Test
  void servicesVolumesAndMountsAreWhereTheReadmeSays() throws Exception {
    List<String> lines = Files.readAllLines(root.resolve("docker-compose.yml"));
    Map<String, List<String>> top = sections(lines);
    assertThat(top).containsKeys("services", "volumes");
    Map<String, List<String>> services = children(top.get("services"));
    assertThat(services.keySet()).containsExactlyInAnyOrder("memcached1", "memcached2", "keys",
        "keys-advancer", "node1", "node2", "node3", "haproxy", "client");

    String nodeTemplate = String.join("\n", top.get("x-node"));
    assertThat(nodeTemplate).contains("keys:/keys:ro", "condition: service_completed_successfully");
    for (String n : List.of("node1", "node2", "node3")) {
      String body = String.join("\n", services.get(n));
      assertThat(body).contains("<<: *node", "\"node\"", "memcached1:11211,memcached2:11211",
          "--key-token-file", "/keys/token");
    }
    assertThat(String.join("\n", services.get("keys"))).contains("keys init > /keys/token",
        "umask 077", "- keys:/keys");
    assertThat(String.join("\n", services.get("keys-advancer"))).contains("\"advance\"",
        "\"--in-place\"", "\"--follow\"", "- keys:/keys\n", "condition: service_completed_successfully");
    assertThat(String.join("\n", services.get("client"))).contains("\"client\"", "haproxy:8443",
        "\"cross\"").doesNotContain("keys:/keys");
    assertThat(String.join("\n", services.get("haproxy")))
        .contains("./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");

    Map<String, List<String>> volumes = children(top.get("volumes"));
    assertThat(String.join("\n", volumes.get("keys"))).contains("type: tmpfs", "device: tmpfs",
        "mode=0700");
  }

  /** The JSON-style {@code command: [...]} list of a service block. */
  private static List<String> commandOf(List<String> service) {
    String body = String.join("\n", service);
    int start = body.indexOf("command: [");
    assertThat(start).as("command: [...] in\n" + body).isNotNegative();
    String list = body.substring(start + "command: [".length(), body.indexOf(']', start));
    List<String> args = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(list);
    while (m.find()) {
      args.add(m.group(1));
    }
    assertThat(args).as("quoted arguments in " + list).isNotEmpty();
    return args;
  }

  @Test
  void nodeAndClientFlagsInTheComposeFileAreFlagsTheJarKnows() throws IOException {
    Map<String, List<String>> services =
        children(sections(Files.readAllLines(root.resolve("docker-compose.yml"))).get("services"));
    for (String service : List.of("node1", "node2", "node3", "client", "keys-advancer")) {
      List<String> args = commandOf(services.get(service));
      picocli.CommandLine main = Main.commandLine(new java.io.PrintWriter(new java.io.StringWriter()),
          new java.io.PrintWriter(new java.io.StringWriter()));
      picocli.CommandLine sub = main.getSubcommands().get(args.get(0));
      assertThat(sub).as(service + ": subcommand " + args.get(0)).isNotNull();
      // Throws a ParameterException (failing the test) on an unknown or malformed flag.
      main.parseArgs(args.toArray(new String[0]));
    }
  }

  @Test
  void haproxyIsTcpRoundRobinOverThreeNodes() throws IOException {
    String cfg = Files.readString(root.resolve("deploy/haproxy.cfg"));
    assertThat(cfg).contains("mode tcp", "balance roundrobin", "bind :8443");
    assertThat(cfg.lines().filter(l -> l.trim().startsWith("server node"))).hasSize(3);
  }

  @Test
  void dockerfileIsMultiStageAndRunsTheDemoJar() throws IOException {
    String df = Files.readString(root.resolve("Dockerfile"));
    assertThat(df).contains("FROM maven:3-eclipse-temurin-17 AS build",
        "FROM eclipse-temurin:17-jre", "COPY --from=build /src/demo/target/shredcache-demo.jar",
        "USER 10001");
    assertThat(Files.readString(root.resolve(".dockerignore"))).contains("**/target", ".git");
  }
}
