package io.github.shredcache.demo;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The boundaries between the modules, checked on the compiled classes of all of them (this module
 * depends on every other): internal packages are used only by their own module, nothing depends
 * on the demo, and there are no package cycles.
 */
class ModuleBoundariesTest {
  private static final JavaClasses ALL = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
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
  void theLibrariesDoNotReachIntoNettyInternals() {
    noClasses().that().resideInAPackage("io.github.shredcache..")
        .should().dependOnClassesThat().resideInAPackage("io.netty.util.internal..")
        .check(ALL);
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("io.github.shredcache.(**)").should().beFreeOfCycles().check(ALL);
  }
}
