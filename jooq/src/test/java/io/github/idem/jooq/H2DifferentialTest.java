package io.github.idem.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.testing.Engine;
import java.util.List;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;

class H2DifferentialTest extends DifferentialContract {
  H2DifferentialTest() {
    super(Engine.H2, SQLDialect.H2);
  }

  @Override
  String jooqUpsertRenders() {
    return "when matched then update set";
  }

  @Override
  String jooqIgnoreRenders() {
    return "when not matched then insert";
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
