package io.github.idem.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.Idem;
import io.github.idem.ResultCodec;
import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.OperationsTableException;
import io.github.idem.micrometer.MicrometerListener;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** When the auto-configuration applies, and what each {@code idem.schema} does at startup. */
class IdemAutoConfigurationConditionsTest {
  private final String h2Url = TestApplication.h2Url();
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  DataSourceAutoConfiguration.class,
                  FlywayAutoConfiguration.class,
                  IdemAutoConfiguration.class))
          .withPropertyValues("spring.datasource.url=" + h2Url, "spring.flyway.enabled=false");

  @Test
  void shouldFailStartupNamingTheFixWhenVerifyFindsNoTable() {
    runner.run(
        context ->
            assertThat(firstInChain(context.getStartupFailure(), OperationsTableException.class))
                .hasMessageContaining("operations table idem_operations does not exist")
                .hasMessageContaining("CREATE TABLE IF NOT EXISTS \"IDEM_OPERATIONS\"")
                .hasMessageContaining("idem.schema=create-if-missing"));
  }

  @Test
  void shouldCreateTheTableWhenAskedTo() {
    runner
        .withPropertyValues("idem.schema=create-if-missing")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Idem.class);
              context.getBean(Idem.class).operationsTable().verify();
            });
  }

  @Test
  void shouldRecordMetricsWhenAMeterRegistryIsPresent() {
    runner
        .withPropertyValues("idem.schema=create-if-missing")
        .withBean(SimpleMeterRegistry.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(MicrometerListener.class);
              Idem idem = context.getBean(Idem.class);
              idem.operation("metrics-" + UUID.randomUUID(), ResultCodec.string())
                  .build()
                  .execute("k", (String) null, c -> "done");
              assertThat(context.getBean(SimpleMeterRegistry.class).find("idem.operation").timer())
                  .isNotNull()
                  .extracting(timer -> timer.count())
                  .isEqualTo(1L);
            });
  }

  @Test
  void shouldWireNoMetricsWithoutAMeterRegistry() {
    runner
        .withPropertyValues("idem.schema=create-if-missing")
        .run(
            context ->
                assertThat(context).hasNotFailed().doesNotHaveBean(MicrometerListener.class));
  }

  @Test
  void shouldLeaveAMissingTableAloneWithSchemaNone() {
    runner
        .withPropertyValues("idem.schema=none")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Idem.class));
  }

  @Test
  void shouldRunIdemsOwnFlywayMigrationWithSchemaFlyway() {
    runner
        .withPropertyValues("idem.schema=flyway")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(IdemFlywayMigration.class);
              context.getBean(Idem.class).operationsTable().verify();
            });
  }

  @Test
  void shouldRefuseFlywayForATableItsScriptsDoNotCreate() {
    runner
        .withPropertyValues("idem.schema=flyway", "idem.operations-table=other_ops")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("idem.operations-table is 'other_ops'"));
  }

  @Test
  void shouldRefuseSchemaFlywayWithoutFlyway() {
    runner
        .withClassLoader(new FilteredClassLoader("org.flywaydb"))
        .withPropertyValues("idem.schema=flyway")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("idem.schema=flyway needs Flyway on the class path"));
  }

  @Test
  void shouldRefuseAWaitTimeoutOutOfRange() {
    runner
        .withPropertyValues("idem.schema=none", "idem.wait-timeout=500ms")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("defaultWaitTimeout is PT0.5S, below the minimum"));
  }

  @Test
  void shouldBackOffForTheApplicationsOwnIdem() {
    runner
        .withBean(
            "myIdem", Idem.class, () -> Idem.create(TestDatabases.shared(Engine.H2).dataSource()))
        .run(
            context ->
                assertThat(context).hasNotFailed().hasSingleBean(Idem.class).hasBean("myIdem"));
  }

  @Test
  void shouldNotApplyWithoutADataSource() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(IdemAutoConfiguration.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Idem.class));
  }

  private static Throwable firstInChain(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return t;
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in the chain of " + failure, failure);
  }
}
