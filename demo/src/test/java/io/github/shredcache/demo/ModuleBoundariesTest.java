package io.github.shredcache.demo;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The boundaries between the modules, checked on the compiled classes of all of them (this module
 * depends on every other): internal packages are used only by their own module, nothing depends
 * on the demo, and there are no package cycles. Also the boundaries between the demo's parts
 * ({@link #demoParts}).
 */
class ModuleBoundariesTest {
  private static final JavaClasses ALL = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(location -> !location.contains("-tests.jar")) // other modules' test jars
      .importPackages("io.github.shredcache");

  @Test
  void coreInternalsStayInCore() {
    noClasses().that().resideOutsideOfPackage("io.github.shredcache.core..")
        .should().dependOnClassesThat().resideInAPackage("io.github.shredcache.core.internal..")
        .because("core.internal is not API: its classes may change in any release")
        .check(ALL);
  }

  @Test
  void librariesDoNotDependOnTheDemo() {
    noClasses().that().resideOutsideOfPackage("io.github.shredcache.demo..")
        .should().dependOnClassesThat().resideInAPackage("io.github.shredcache.demo..")
        .check(ALL);
  }

  @Test
  void thePublicApiExposesNoNettyOrTcnativeInternals() {
    methods().that().arePublic().and().areDeclaredInClassesThat().arePublic()
        .should(new ArchCondition<JavaMethod>("use no internal Netty or tcnative type in its signature") {
          @Override
          public void check(JavaMethod method, ConditionEvents events) {
            List<JavaClass> types = new ArrayList<>(method.getRawParameterTypes());
            types.add(method.getRawReturnType());
            for (JavaClass t : types) {
              String pkg = t.getPackageName();
              if (pkg.startsWith("io.netty.util.internal") || pkg.startsWith("io.netty.internal.tcnative")) {
                events.add(SimpleConditionEvent.violated(method, method.getFullName() + " uses " + t.getName()));
              }
            }
          }
        })
        .check(ALL);
  }

  @Test
  void nettyInternalsAreUsedInOnePlaceOnly() {
    // The standalone-engine prefetch (for frameworks that wrap newEngine themselves) needs the
    // current event loop; it degrades to no prefetch if Netty changes it. Nothing else may.
    noClasses().that().resideInAPackage("io.github.shredcache..")
        .and().doNotHaveFullyQualifiedName("io.github.shredcache.netty.EnginePrefetch")
        .should().dependOnClassesThat().resideInAPackage("io.netty.util.internal..")
        .check(ALL);
  }

  /**
   * The demo's parts under {@code root} and what each may use: the node, the load client and the
   * key tool stand alone (the client talks to any TLS server; keys are made before any node
   * runs), the cluster runner puts them together, only the main class knows every command, and
   * the shared command-line code ({@code cli}) knows none of them.
   */
  static LayeredArchitecture demoParts(String root) {
    return layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("main").definedBy(root)
        .layer("cluster").definedBy(root + ".cluster..")
        .layer("node").definedBy(root + ".node..")
        .layer("client").definedBy(root + ".client..")
        .layer("keys").definedBy(root + ".keys..")
        .layer("certs").definedBy(root + ".certs..")
        .layer("cli").definedBy(root + ".cli..")
        .whereLayer("cluster").mayOnlyAccessLayers("node", "client", "keys", "certs", "cli")
        .whereLayer("node").mayOnlyAccessLayers("certs", "cli")
        .whereLayer("client").mayOnlyAccessLayers("cli")
        .whereLayer("keys").mayOnlyAccessLayers("cli")
        .whereLayer("certs").mayOnlyAccessLayers("cli")
        .whereLayer("cli").mayNotAccessAnyLayer()
        .whereLayer("main").mayNotBeAccessedByAnyLayer();
  }

  @Test
  void demoPartsUseOnlyWhatTheyMay() {
    demoParts("io.github.shredcache.demo").check(ALL);
  }

  @Test
  void everyDemoClassIsInAPart() {
    classes().that().resideInAPackage("io.github.shredcache.demo")
        .should().haveNameMatching("io\\.github\\.shredcache\\.demo\\.(Main(\\$.*)?|package-info)")
        .because("the root package holds the entry point only; code goes into a part's package")
        .check(ALL);
    classes().that().resideInAPackage("io.github.shredcache.demo..")
        .should().resideInAnyPackage("io.github.shredcache.demo",
            "io.github.shredcache.demo.cluster..", "io.github.shredcache.demo.node..",
            "io.github.shredcache.demo.client..", "io.github.shredcache.demo.keys..",
            "io.github.shredcache.demo.certs..", "io.github.shredcache.demo.cli..")
        .because("a new part needs its own line in demoParts")
        .check(ALL);
  }

  @Test
  void thePartRulesCatchAPartThatReachesWhereItMayNot() {
    String root = "io.github.shredcache.demo.archfixture";
    JavaClasses fixtures = new ClassFileImporter().importPackages(root);
    List<String> violations = demoParts(root).evaluate(fixtures).getFailureReport().getDetails();
    assertThat(String.join("\n", violations))
        .contains("archfixture.client.ClientUsesNode", "archfixture.keys.KeysUseCluster",
            "archfixture.node.NodeUsesClient", "archfixture.certs.CertsUseKeys",
            "archfixture.cli.CliUsesMain")
        .doesNotContain("ClusterUsesNodeAndClient");
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("io.github.shredcache.(**)").should().beFreeOfCycles().check(ALL);
  }
}
