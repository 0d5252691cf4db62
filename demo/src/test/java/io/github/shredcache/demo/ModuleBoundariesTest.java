package io.github.shredcache.demo;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The boundaries between the modules, checked on the compiled classes of all of them (this module
 * depends on every other): internal packages are used only by their own module, nothing depends
 * on the demo, and there are no package cycles.
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

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("io.github.shredcache.(**)").should().beFreeOfCycles().check(ALL);
  }
}
