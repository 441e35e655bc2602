package io.github.idem;

import java.sql.Connection;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** {@link AmbientTransactions#none()}: a named type, so messages listing providers can name it. */
enum NoAmbientTransactions implements AmbientTransactions {
  INSTANCE;

  @Override
  public @Nullable Connection currentConnection(DataSource dataSource) {
    return null;
  }

  @Override
  public String toString() {
    return "AmbientTransactions.none()";
  }
}
