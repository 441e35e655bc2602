package io.github.idem.spring.boot;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.ResultCodec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/** A Boot application with one bean that builds a guarded operation in its constructor. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(TestApplication.Charges.class)
class TestApplication {

  /** Builds its operation at construction, so the operations table must exist by then. */
  static class Charges {
    final GuardedOperation<String> charge;

    Charges(Idem idem) {
      this.charge = idem.operation("charges", ResultCodec.string()).build();
    }
  }

  /** Starts the application with {@code properties} as command-line arguments, which win. */
  static ConfigurableApplicationContext start(Map<String, Object> properties) {
    return new SpringApplicationBuilder(TestApplication.class)
        .web(WebApplicationType.NONE)
        .run(
            properties.entrySet().stream()
                .map(p -> "--" + p.getKey() + "=" + p.getValue())
                .toArray(String[]::new));
  }

  /**
   * A new in-memory H2 database for Boot's own pool. Not the fixtures' H2: their pool creates the
   * database as user "", and Boot connects to an embedded database as "sa".
   */
  static String h2Url() {
    return "jdbc:h2:mem:boot_"
        + UUID.randomUUID().toString().replace("-", "")
        + ";DB_CLOSE_DELAY=-1";
  }

  static List<String> column(DataSource dataSource, String query) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      List<String> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    }
  }
}
