package io.github.idem.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.UnsupportedDatabaseException;
import io.github.idem.dialect.internal.CockroachDbDialect;
import io.github.idem.dialect.internal.H2Dialect;
import io.github.idem.dialect.internal.MariaDbDialect;
import io.github.idem.dialect.internal.MySqlDialect;
import io.github.idem.dialect.internal.PostgresDialect;
import io.github.idem.dialect.internal.SqliteDialect;
import io.github.idem.dialect.internal.TiDbDialect;
import io.github.idem.dialect.internal.YugabyteDbDialect;
import org.junit.jupiter.api.Test;

/** Detection order and version parsing from the strings real drivers report. */
class DialectsTest {

  @Test
  void shouldDetectMariaDbBehindMySqlConnectorJ() {
    Dialect d = Dialects.detect(new ProductInfo("MySQL", "5.5.5-10.11.9-MariaDB-0+deb12u1", null));
    assertThat(d).isInstanceOf(MariaDbDialect.class);
    assertThat(d.version()).isEqualTo(DatabaseVersion.of(10, 11, 9));
  }

  @Test
  void shouldDetectMariaDbThroughItsOwnDriver() {
    Dialect d = Dialects.detect(new ProductInfo("MariaDB", "11.4.2-MariaDB", null));
    assertThat(d).isInstanceOf(MariaDbDialect.class);
    assertThat(d.version()).isEqualTo(DatabaseVersion.of(11, 4, 2));
  }

  @Test
  void shouldDetectMySqlAndTiDb() {
    assertThat(Dialects.detect(new ProductInfo("MySQL", "8.0.36", null)))
        .isInstanceOf(MySqlDialect.class);
    Dialect tidb = Dialects.detect(new ProductInfo("MySQL", "8.0.11-TiDB-v7.5.1", null));
    assertThat(tidb).isInstanceOf(TiDbDialect.class);
    assertThat(tidb.version()).isEqualTo(DatabaseVersion.of(7, 5, 1));
  }

  @Test
  void shouldDetectPostgresWireVariantsFromSelectVersion() {
    assertThat(
            Dialects.detect(
                new ProductInfo(
                    "PostgreSQL", "13.0.0", "CockroachDB CCL v24.1.3 (x86_64-pc-linux-gnu)")))
        .isInstanceOf(CockroachDbDialect.class);
    assertThat(
            Dialects.detect(
                new ProductInfo(
                    "PostgreSQL", "15.2", "PostgreSQL 15.2-YB-2024.2.0.0-b0 on x86_64")))
        .isInstanceOf(YugabyteDbDialect.class);
    Dialect pg =
        Dialects.detect(new ProductInfo("PostgreSQL", "16.4 (Debian 16.4-1)", "PostgreSQL 16.4"));
    assertThat(pg).isInstanceOf(PostgresDialect.class);
    assertThat(pg.version()).isEqualTo(DatabaseVersion.of(16, 4, 0));
  }

  @Test
  void shouldDetectH2AndSqlite() {
    assertThat(Dialects.detect(new ProductInfo("H2", "2.3.232 (2024-08-11)", null)))
        .isInstanceOf(H2Dialect.class);
    assertThat(Dialects.detect(new ProductInfo("SQLite", "3.50.3", null)))
        .isInstanceOf(SqliteDialect.class);
  }

  @Test
  void shouldRefuseAnUnknownProductAndListTheSupportedOnes() {
    assertThatThrownBy(() -> Dialects.detect(new ProductInfo("Apache Derby", "10.17.1.0", null)))
        .isInstanceOf(UnsupportedDatabaseException.class)
        .hasMessageStartingWith(
            "Unsupported database 'Apache Derby' (version 10.17.1.0). Supported: PostgreSQL 12+")
        .hasMessageEndingWith("Pass a Dialect explicitly to override.");
  }

  @Test
  void shouldRefuseVersionsBelowTheFloor() {
    assertThatThrownBy(
            () -> Dialects.detect(new ProductInfo("PostgreSQL", "11.22", "PostgreSQL 11.22")))
        .isInstanceOf(UnsupportedDatabaseException.class)
        .hasMessageContaining("PostgreSQL 11.22.0 is below the supported floor 12.0.0");
    assertThatThrownBy(() -> new SqliteDialect(DatabaseVersion.of(3, 23)))
        .isInstanceOf(UnsupportedDatabaseException.class);
  }

  @Test
  void shouldParseVersionTexts() {
    assertThat(DatabaseVersion.parse("8.0.36-log")).isEqualTo(DatabaseVersion.of(8, 0, 36));
    assertThat(DatabaseVersion.parse("16")).isEqualTo(DatabaseVersion.of(16, 0, 0));
    assertThat(DatabaseVersion.of(8, 0, 19).isAtLeast(8, 0, 19)).isTrue();
    assertThat(DatabaseVersion.of(8, 0, 18).isAtLeast(8, 0, 19)).isFalse();
    assertThatThrownBy(() -> DatabaseVersion.parse("unknown"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("no version number");
  }

  @Test
  void shouldRefuseAKnownEngineWhoseVersionHasNoNumber() {
    for (String product : new String[] {"PostgreSQL", "MySQL", "MariaDB", "H2", "SQLite"}) {
      assertThatThrownBy(() -> Dialects.detect(new ProductInfo(product, "devel", null)))
          .as(product)
          .isInstanceOf(UnsupportedDatabaseException.class)
          .hasMessageContaining("reported a version Idem cannot read; pass a Dialect");
    }
  }
}
