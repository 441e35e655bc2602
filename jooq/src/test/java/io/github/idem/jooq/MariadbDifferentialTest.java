package io.github.idem.jooq;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.testing.Engine;
import java.util.Arrays;
import java.util.List;
import org.jooq.Query;
import org.jooq.SQLDialect;

class MariadbDifferentialTest extends DifferentialContract {
  MariadbDifferentialTest() {
    super(Engine.MARIADB, SQLDialect.MARIADB);
  }

  @Override
  String jooqUpsertRenders() {
    return "on duplicate key update";
  }

  @Override
  String jooqIgnoreRenders() {
    return "insert ignore into";
  }

  @Override
  List<Integer> jooqUpsertCounts() {
    return List.of(1, 1, 2, 2, 1, 1);
  }

  @Override
  void jooqIgnoreOfNull(Query ignore, Customers table) {
    // INSERT IGNORE downgrades the NOT NULL error to a warning and stores the column's implicit
    // default, the empty string: jOOQ reports one row written, Idem refused the row
    assertThat(ignore.execute()).isEqualTo(1);
    assertThat(rows(dsl, table)).containsExactly(Arrays.asList(1, "", null, null));
  }
}
