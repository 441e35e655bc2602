package io.github.idem.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.testing.Engine;
import java.util.List;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;

class PostgresqlDifferentialTest extends DifferentialContract {
  PostgresqlDifferentialTest() {
    super(Engine.POSTGRESQL, SQLDialect.POSTGRES);
  }

  @Override
  String jooqUpsertRenders() {
    return "on conflict (\"id\") do update set \"email\" = excluded.\"email\"";
  }

  @Override
  String jooqIgnoreRenders() {
    return "on conflict do nothing";
  }

  @Override
  List<Integer> jooqUpsertCounts() {
    return List.of(1, 1, 1, 1, 1, 1);
  }

  @Override
  void jooqIgnoreOfNull(Query ignore, Customers table) {
    // the same refusal as Idem's: the NOT NULL violation surfaces, nothing is written
    assertThatThrownBy(ignore::execute).isInstanceOf(DataAccessException.class);
    assertThat(rows(dsl, table)).isEmpty();
  }
}
