package dev.crew.coordinator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The parts table of the design: the command line sits on the client library and common, and embeds
 * a worker only through common's {@code EmbeddedWorker}; the client library and common know neither
 * the worker nor the command line.
 */
class ModuleBoundariesTest {
  private static final JavaClasses CREW =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.crew");

  @Test
  void theCommandLine_usesNoWorkerClass() {
    noClasses()
        .that()
        .resideInAPackage("dev.crew.coordinator..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.crew.worker..")
        .because(
            "read-side views and HTTP serving live in common, and a worker is embedded through"
                + " common's EmbeddedWorker; see DESIGN.md, the parts")
        .check(CREW);
  }

  @Test
  void theClientLibrary_knowsNeitherTheWorkerNorTheCommandLine() {
    noClasses()
        .that()
        .resideInAPackage("dev.crew.client..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.crew.worker..", "dev.crew.coordinator..")
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
