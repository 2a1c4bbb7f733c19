package io.instgenie.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The layers of DESIGN.md: kernels ← cache-tier ← verticles (and the CLI that lives beside them),
 * and no package cycles anywhere (shared types live in leaf packages: {@code kernels.cached},
 * {@code verticles.messages}, {@code verticles.metrics}).
 */
class LayeringTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.instgenie");

  @Test
  @DisplayName("kernels depend on nothing else of ours")
  void kernelsStandAlone() {
    noClasses()
        .that()
        .resideInAPackage("io.instgenie.kernels..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.instgenie.cache..", "io.instgenie.verticles..", "io.instgenie.cli..")
        .check(MAIN);
  }

  @Test
  @DisplayName("the cache tier depends on kernels only")
  void cacheTierBelowVerticles() {
    noClasses()
        .that()
        .resideInAPackage("io.instgenie.cache..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.instgenie.verticles..", "io.instgenie.cli..")
        .allowEmptyShould(true)
        .check(MAIN);
  }

  @Test
  @DisplayName(
      "kernels, the cache tier, the policies (batching, routing) and the simulator never import"
          + " Vert.x or Hazelcast")
  void noVertxBelowVerticles() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.instgenie.kernels..",
            "io.instgenie.cache..",
            "io.instgenie.verticles.batching..",
            "io.instgenie.verticles.policy..",
            "io.instgenie.verticles.sim..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.vertx..", "com.hazelcast..")
        .check(MAIN);
  }

  @Test
  @DisplayName("no package depends on itself through others (no package cycles)")
  void noPackageCycles() {
    slices().matching("io.instgenie.(**)").should().beFreeOfCycles().check(MAIN);
  }
}
