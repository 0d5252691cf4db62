package io.github.shredcache.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Options that several commands share come from one mixin each: every command that has one
 * declares it the same way (label, help, type) and parses a value to the same thing, or rejects it
 * with the same message. Only parses: nothing is run.
 */
class SharedOptionsTest {
  /** The commands, each with the arguments it needs besides the option under test. */
  private static final Map<String, List<String>> COMMANDS = Map.of(
      "node", List.of("node", "--port", "0", "--key-token-file", "token"),
      "cluster", List.of("cluster"),
      "client", List.of("client", "--targets", "127.0.0.1:8443"),
      "keys advance", List.of("keys", "advance"),
      "keys info", List.of("keys", "info"));

  private static CommandLine main() {
    return Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
  }

  /** The command line of {@code command} ("keys info": a subcommand of a subcommand). */
  private static CommandLine command(String command) {
    CommandLine cl = main();
    for (String name : command.split(" ", -1)) {
      cl = cl.getSubcommands().get(name);
    }
    return cl;
  }

  /** Parses {@code command}'s required arguments plus {@code option value}; returns its result. */
  private static ParseResult parse(String command, String option, String value) {
    List<String> args = new ArrayList<>(COMMANDS.get(command));
    args.add(option);
    args.add(value);
    ParseResult result = main().parseArgs(args.toArray(new String[0]));
    for (int depth = 0; depth < command.split(" ", -1).length; depth++) {
      result = result.subcommand();
    }
    return result;
  }

  private static List<String> commandsWith(String commands) {
    return Arrays.asList(commands.split("\\+", -1));
  }

  @ParameterizedTest(name = "{0} in {1}")
  @CsvSource({
    "--engine, node+cluster",
    "--connections, client+cluster",
    "--concurrency, client+cluster",
    "--json, client+cluster",
    "--tls, client+cluster",
    "--token-file, keys advance+keys info",
  })
  void declaredTheSameWayInEachCommand(String option, String commands) {
    List<String> declarations = new ArrayList<>();
    for (String command : commandsWith(commands)) {
      OptionSpec spec = command(command).getCommandSpec().findOption(option);
      assertThat(spec).as(option + " in " + command).isNotNull();
      // The help shows each command's own default: compare the text around it.
      String help = String.join(" ", spec.description());
      if (spec.defaultValueString() != null) {
        help = help.replace("default: " + spec.defaultValueString(), "default: ${DEFAULT-VALUE}")
            .replace("Default " + spec.defaultValueString(), "Default ${DEFAULT-VALUE}");
      }
      declarations.add(spec.paramLabel() + " | " + help + " | "
          + spec.type().getName() + " | required=" + spec.required());
    }
    assertThat(declarations).as(option).hasSize(2).containsOnly(declarations.get(0));
  }

  @ParameterizedTest(name = "{0} {1} in {2}")
  @CsvSource({
    "--engine, OpenSSL, OPENSSL, node+cluster",
    "--engine, jdk, JDK, node+cluster",
    "--connections, 7, 7, client+cluster",
    "--concurrency, 3, 3, client+cluster",
    "--tls, 1.3, 1.3, client+cluster",
    "--json, out/report.json, out/report.json, client+cluster",
    "--token-file, /run/keys/token, /run/keys/token, keys advance+keys info",
  })
  void aValueParsesToTheSameInEachCommand(String option, String value, String parsed,
      String commands) {
    List<Class<?>> types = new ArrayList<>();
    for (String command : commandsWith(commands)) {
      Object got = parse(command, option, value).matchedOptionValue(option, null);
      assertThat(got).as(option + " " + value + " in " + command).isNotNull();
      assertThat(got.toString()).as(option + " " + value + " in " + command).isEqualTo(parsed);
      types.add(got.getClass());
    }
    assertThat(types).as("types of " + option).containsOnly(types.get(0));
  }

  @ParameterizedTest(name = "{0} {1} in {2}")
  @CsvSource({
    "--engine, conscrypt, node+cluster",
    "--connections, many, client+cluster",
    "--concurrency, 2.5, client+cluster",
  })
  void aBadValueIsRefusedWithTheSameMessageInEachCommand(String option, String value,
      String commands) {
    List<String> messages = new ArrayList<>();
    for (String command : commandsWith(commands)) {
      ParameterException e = catchThrowableOfType(ParameterException.class,
          () -> parse(command, option, value));
      assertThat(e).as(option + " " + value + " in " + command).isNotNull();
      assertThat(e.getMessage()).contains(option, value);
      messages.add(e.getMessage());
    }
    assertThat(messages).containsOnly(messages.get(0));
  }

  @ParameterizedTest(name = "{0} in {1}: {2}")
  @CsvSource({
    "--connections, client, 1000",
    "--connections, cluster, 300",
    "--concurrency, client, 8",
    "--concurrency, cluster, 6",
  })
  void eachCommandKeepsItsOwnDefaults(String option, String command, String expected) {
    Object value = parse(command, "--tls", "1.2").commandSpec().findOption(option).getValue();
    assertThat(value).hasToString(expected);
    StringWriter help = new StringWriter();
    command(command).usage(new PrintWriter(help));
    assertThat(help.toString().replaceAll("\\s+", " ")).contains("(default: " + expected + ")");
  }
}
