package io.github.shredcache.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "run the main job" command, end to end, on the shaded jar: {@code java -jar
 * target/shredcache-demo.jar cluster --connections 60 --json out.json} must exit 0, report zero
 * failures and at least one session resumed on a node other than the one that made it, and leave
 * no child process behind.
 */
class ClusterIT {
  private static final Pattern PID = Pattern.compile("\\(pid (\\d+)\\)");

  private static long number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
    assertThat(m.find()).as(key + " in " + json).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void localClusterResumesAcrossNodes(@TempDir Path dir) throws Exception {
    Path jar = Path.of("target", "shredcache-demo.jar").toAbsolutePath();
    assertThat(jar).as("run after 'package': the shaded jar").isRegularFile();
    Path json = dir.resolve("out.json");
    Path log = dir.resolve("cluster.out");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-jar", jar.toString(), "cluster", "--connections", "60", "--json",
        json.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done;
    try {
      p.getOutputStream().close();
      // Typically 15-30 s; the bound is generous for a busy 2-core machine.
      done = p.waitFor(150, TimeUnit.SECONDS);
    } finally {
      if (p.isAlive()) {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(done).as("cluster finished within 150 s:\n" + out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("resumed cross-node", "stopped everything it started");

    String report = Files.readString(json, StandardCharsets.UTF_8);
    String totals = report.substring(report.indexOf("\"totals\""));
    assertThat(number(totals, "failures")).as(out).isZero();
    assertThat(number(totals, "resumedCrossNode")).as(out).isPositive();
    assertThat(number(totals, "full") + number(totals, "resumedLocal")
        + number(totals, "resumedCrossNode")).isEqualTo(60);

    List<Long> pids = new ArrayList<>();
    Matcher m = PID.matcher(out);
    while (m.find()) {
      pids.add(Long.parseLong(m.group(1)));
    }
    assertThat(pids).as("node (and memcached) processes named in the output").hasSizeBetween(3, 5);
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("pid " + pid + " stopped").isFalse();
    }
  }
}
