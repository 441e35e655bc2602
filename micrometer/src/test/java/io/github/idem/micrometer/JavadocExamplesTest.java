package io.github.idem.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.Idem;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabases;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The {@code {@code ...}} examples of this module's Javadoc (MicrometerListener, package-info),
 * copied verbatim, so they compile and run.
 */
class JavadocExamplesTest {
  @Test
  void shouldRegisterTheListenerAsTheJavadocShows() {
    DataSource dataSource = TestDatabases.shared(Engine.H2).dataSource();
    MeterRegistry meterRegistry = new SimpleMeterRegistry();

    Idem idem = Idem.builder(dataSource).addListener(new MicrometerListener(meterRegistry)).build();

    assertThat(idem.database()).isNotBlank();
    assertThat(meterRegistry.find("idem.purge.deleted").counter()).isNotNull();
  }
}
