package dev.crew.coordinator;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The parts table of the design: the command line reads the cluster through common's views, and
 * uses the worker module only to start an in-process worker; common knows neither.
 */
class ModuleBoundariesTest {
  private static final JavaClasses CREW =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.crew");

  @Test
  void theCommandLine_usesTheWorkerModuleOnlyToEmbedAWorker() {
    noClasses()
        .that()
        .resideInAPackage("dev.crew.coordinator..")
        .and()
        .doNotHaveSimpleName("RunCommand")
        .and()
        .doNotHaveSimpleName("DemoCommand")
        .and()
        .doNotHaveSimpleName("TrainCommand")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.crew.worker..")
        .because("read-side views and HTTP serving live in common; see DESIGN.md, the parts")
        .check(CREW);
  }

  @Test
  void theEmbeddingCommands_useOnlyTheWorkersEntryPoint() {
    noClasses()
        .that()
        .resideInAPackage("dev.crew.coordinator..")
        .should()
        .dependOnClassesThat(
            resideInAPackage("dev.crew.worker..")
                .and(not(nameMatching("dev\\.crew\\.worker\\.Worker(\\$.*)?"))))
        .check(CREW);
  }

  @Test
  void common_knowsNeitherTheWorkerNorTheCommandLine() {
    noClasses()
        .that()
        .resideInAPackage("dev.crew.common..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.crew.worker..", "dev.crew.coordinator..")
        .check(CREW);
  }
}
