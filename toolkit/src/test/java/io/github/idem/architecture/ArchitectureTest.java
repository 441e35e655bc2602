package io.github.idem.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

/**
 * The layer rules of the two runtime jars, checked on their compiled classes: the facade sits on
 * top of {@code internal}, which sits on the dialect SPI, which sits on the API vocabulary.
 */
class ArchitectureTest {
  private static final JavaClasses RUNTIME =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.github.idem");

  /** Only the runtime jars' packages: the test fixtures and examples share the root name. */
  private static final DescribedPredicate<JavaClass> RUNTIME_CLASS =
      DescribedPredicate.describe(
          "a runtime class",
          c ->
              c.getPackageName().equals("io.github.idem")
                  || c.getPackageName().startsWith("io.github.idem.api")
                  || c.getPackageName().startsWith("io.github.idem.dialect")
                  || c.getPackageName().startsWith("io.github.idem.internal"));

  @Test
  void internalNeverImportsTheFacade() {
    noClasses()
        .that()
        .resideInAPackage("io.github.idem.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.github.idem")
        .check(RUNTIME);
  }

  @Test
  void dialectsNeverImportTheToolkit() {
    noClasses()
        .that()
        .resideInAnyPackage("io.github.idem.api..", "io.github.idem.dialect..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.github.idem", "io.github.idem.internal..")
        .check(RUNTIME);
  }

  @Test
  void apiImportsNothingElseOfIdem() {
    noClasses()
        .that()
        .resideInAPackage("io.github.idem.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.github.idem", "io.github.idem.dialect..", "io.github.idem.internal..")
        .check(RUNTIME);
  }

  @Test
  void theSpiNeverImportsItsImplementations() {
    noClasses()
        .that()
        .resideInAPackage("io.github.idem.dialect")
        .and()
        .doNotHaveSimpleName("Dialects")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.github.idem.dialect.internal..")
        .check(RUNTIME);
  }

  @Test
  void publicSignaturesMentionNoInternalType() {
    codeUnits()
        .that()
        .arePublic()
        .and()
        .areDeclaredInClassesThat()
        .arePublic()
        .and()
        .areDeclaredInClassesThat(RUNTIME_CLASS)
        .and()
        .areDeclaredInClassesThat()
        .resideOutsideOfPackages("io.github.idem.internal..", "io.github.idem.dialect.internal..")
        .should(mentionNoInternalType())
        .check(RUNTIME);
    fields()
        .that()
        .arePublic()
        .and()
        .areDeclaredInClassesThat()
        .arePublic()
        .and()
        .areDeclaredInClassesThat(RUNTIME_CLASS)
        .and()
        .areDeclaredInClassesThat()
        .resideOutsideOfPackages("io.github.idem.internal..", "io.github.idem.dialect.internal..")
        .should()
        .haveRawType(
            DescribedPredicate.describe(
                "a type outside the internal packages",
                (JavaClass type) -> !type.getPackageName().contains(".internal")))
        .check(RUNTIME);
    classes()
        .that()
        .arePublic()
        .and(RUNTIME_CLASS)
        .and()
        .resideOutsideOfPackages("io.github.idem.internal..", "io.github.idem.dialect.internal..")
        .should()
        .notBeAssignableTo(
            DescribedPredicate.describe(
                "an internal type",
                (JavaClass type) -> type.getPackageName().contains(".internal")))
        .check(RUNTIME);
  }

  private static ArchCondition<JavaCodeUnit> mentionNoInternalType() {
    return new ArchCondition<>("mention no internal type in their signature") {
      @Override
      public void check(JavaCodeUnit method, ConditionEvents events) {
        for (JavaClass type : method.getAllInvolvedRawTypes()) {
          if (type.getPackageName().contains(".internal")) {
            events.add(
                SimpleConditionEvent.violated(
                    method, method.getFullName() + " mentions internal type " + type.getName()));
          }
        }
      }
    };
  }
}
