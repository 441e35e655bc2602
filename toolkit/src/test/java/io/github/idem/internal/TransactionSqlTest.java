package io.github.idem.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which SQL a body's connection refuses as transaction control, and which it leaves alone. */
class TransactionSqlTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "COMMIT | COMMIT",
        "commit work | COMMIT",
        "  /* c */ -- line\\n rollback | ROLLBACK",
        "ROLLBACK TRANSACTION | ROLLBACK",
        "rollback | ROLLBACK",
        "BEGIN | BEGIN",
        "START TRANSACTION READ ONLY | START TRANSACTION",
        "END | END",
        "ABORT | ABORT",
        "SELECT 1; COMMIT | COMMIT",
        "INSERT INTO t VALUES (';'); commit; | COMMIT",
        "SET autocommit = 0 | SET AUTOCOMMIT",
        "SET autocommit := 1 | SET AUTOCOMMIT",
        "SET @x = 1, autocommit = 1 | SET AUTOCOMMIT",
        "SET SESSION autocommit=0 | SET AUTOCOMMIT",
        "set @@session.autocommit=0 | SET AUTOCOMMIT",
        "SET AUTOCOMMIT FALSE | SET AUTOCOMMIT",
      })
  void shouldRefuseTransactionControl(String sql, String verb) {
    assertThat(TransactionSql.controlVerb(sql.replace("\\n", "\n"))).isEqualTo(verb);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "INSERT INTO t VALUES ('x; COMMIT')",
        "INSERT INTO t VALUES ('it''s; commit')",
        "SELECT \"COMMIT\" FROM t",
        "SELECT 1 -- ; COMMIT",
        "SELECT 1 /* ; COMMIT */",
        "DO $$ BEGIN PERFORM 1; END $$",
        "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql",
        "ROLLBACK TO SAVEPOINT s1",
        "ROLLBACK WORK TO s1",
        "SAVEPOINT s1",
        "RELEASE SAVEPOINT s1",
        "SET search_path = app",
        "SET @autocommit_count = 1",
        "UPDATE t SET autocommit_flag = 1",
        "SELECT $1::int",
      })
  void shouldLeaveOtherSqlAlone(String sql) {
    assertThat(TransactionSql.controlVerb(sql)).isNull();
  }
}
