package io.github.idem.testing.faults;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PointTest {

  private static boolean matches(Point point, String sql) {
    return point.matches(Call.statement("executeUpdate", sql, false));
  }

  @Test
  void claimMatchesInsertsIntoTheOperationsTableHoweverSpelled() {
    Point claim = Point.claim("idem_operations");

    assertThat(matches(claim, "INSERT INTO idem_operations (scope) VALUES (?)")).isTrue();
    assertThat(matches(claim, "  insert into \"IDEM_OPERATIONS\" (scope) VALUES (?)")).isTrue();
    assertThat(matches(claim, "INSERT INTO public.\"idem_operations\" AS o VALUES (?)")).isTrue();
    assertThat(matches(claim, "INSERT IGNORE INTO `db`.`idem_operations` VALUES (?)")).isTrue();
    assertThat(matches(claim, "INSERT OR IGNORE INTO idem_operations VALUES (?)")).isTrue();
    assertThat(matches(claim, "/* idem */ INSERT INTO idem_operations VALUES (?)")).isTrue();
    assertThat(
            matches(
                claim,
                "WITH idem_claim AS (INSERT INTO \"idem_operations\" (a) VALUES (?) RETURNING 1),"
                    + " idem_body AS (INSERT INTO orders (b) SELECT ?) SELECT 1"))
        .isTrue();
    assertThat(
            Point.claim("\"public\".\"idem_operations\"")
                .matches(
                    Call.statement("execute", "INSERT INTO idem_operations VALUES (1)", false)))
        .isTrue();
  }

  @Test
  void claimIgnoresOtherStatements() {
    Point claim = Point.claim("idem_operations");

    assertThat(matches(claim, "INSERT INTO orders SELECT * FROM idem_operations")).isFalse();
    assertThat(matches(claim, "INSERT INTO idem_operations_archive VALUES (?)")).isFalse();
    assertThat(matches(claim, "UPDATE idem_operations SET status = ?")).isFalse();
    assertThat(matches(claim, "SELECT 'INSERT INTO idem_operations'")).isFalse();
    assertThat(claim.matches(Call.connection("commit", false))).isFalse();
  }

  @Test
  void completionMatchesUpdatesOfTheOperationsTable() {
    Point completion = Point.completion("idem_operations");

    assertThat(matches(completion, "UPDATE \"idem_operations\" SET status = ? WHERE k = ?"))
        .isTrue();
    assertThat(matches(completion, "update s.idem_operations set status = ?")).isTrue();
    assertThat(matches(completion, "UPDATE orders SET v = 1")).isFalse();
    assertThat(matches(completion, "INSERT INTO idem_operations VALUES (1)")).isFalse();
    assertThat(matches(completion, "UPDATEX idem_operations")).isFalse();
  }

  @Test
  void commitMatchesTheMethodAndCommitStatementsOnly() {
    Point commit = Point.commit();

    assertThat(commit.matches(Call.connection("commit", false))).isTrue();
    assertThat(commit.matches(Call.connection("rollback", false))).isFalse();
    assertThat(matches(commit, "COMMIT")).isTrue();
    assertThat(matches(commit, " commit work ;")).isTrue();
    assertThat(matches(commit, "COMMIT AND NO CHAIN")).isTrue();
    assertThat(matches(commit, "COMMITTED")).isFalse();
    assertThat(matches(commit, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED")).isFalse();
    assertThat(matches(commit, "ROLLBACK")).isFalse();
  }

  @Test
  void statementPointsTellStatementsFromConnectionMethods() {
    assertThat(matches(Point.statementContaining("Orders"), "insert into ORDERS values (1)"))
        .isTrue();
    assertThat(matches(Point.statementContaining("orders"), "insert into items values (1)"))
        .isFalse();
    assertThat(matches(Point.anyStatement(), "SELECT 1")).isTrue();
    assertThat(Point.anyStatement().matches(Call.connection("close", true))).isFalse();
    assertThat(Point.afterCommit().matches(Call.connection("close", true))).isTrue();
    assertThat(Point.afterCommit().matches(Call.connection("close", false))).isFalse();
    assertThat(Point.afterCommit().matches(Call.statement("execute", "SELECT 1", true))).isTrue();
  }
}
