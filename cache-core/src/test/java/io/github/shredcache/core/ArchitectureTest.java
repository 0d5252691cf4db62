package io.github.shredcache.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The package boundaries of shredcache-core, checked on the compiled classes. */
class ArchitectureTest {
  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.github.shredcache.core");

  @Test
  void internalDoesNotDependOnThePublicApi() {
    noClasses().that().resideInAPackage("io.github.shredcache.core.internal..")
        .should().dependOnClassesThat().resideInAPackage("io.github.shredcache.core")
        .because("the public API is built on the internals, never the other way round")
        .check(CORE);
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("io.github.shredcache.(**)").should().beFreeOfCycles().check(CORE);
  }
}
