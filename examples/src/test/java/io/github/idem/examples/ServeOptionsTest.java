package io.github.idem.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.testing.Engine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServeOptionsTest {
  @Test
  void shouldDefaultToPort8080OnEmbeddedH2() throws Exception {
    ServeOptions options = ServeOptions.parse(List.of());

    assertThat(options.port()).isEqualTo(8080);
    assertThat(options.db()).isEqualTo(DatabaseTarget.H2);
  }

  @Test
  void shouldParsePortAndDatabase() throws Exception {
    assertThat(ServeOptions.parse(List.of("--port", "0", "--db", "postgres")))
        .isEqualTo(new ServeOptions(0, new DatabaseTarget(Engine.POSTGRESQL, null)));
    assertThat(ServeOptions.parse(List.of("--port=9090", "--db=jdbc:h2:mem:x")).port())
        .isEqualTo(9090);
  }

  @Test
  void shouldRejectABadPortAsAUsageError() {
    assertThatThrownBy(() -> ServeOptions.parse(List.of("--port", "65536")))
        .isInstanceOf(UsageException.class)
        .hasMessage("--port must be between 1 and 65535, was 65536");
    assertThatThrownBy(() -> ServeOptions.parse(List.of("--port", "http")))
        .isInstanceOf(UsageException.class)
        .hasMessage("--port must be a whole number, was 'http'");

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Main.run(
            new String[] {"serve", "--port", "-1"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(status).isEqualTo(Main.EXIT_USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: serve");
  }
}
