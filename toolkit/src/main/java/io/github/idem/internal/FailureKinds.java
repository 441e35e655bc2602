package io.github.idem.internal;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.IdemSqlException;
import io.github.idem.dialect.Dialect;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What any failure means: the search behind {@code Idem.classify}. Stateless. */
public final class FailureKinds {
  /** Bounds the search: a cause chain can be cyclic or very long. */
  private static final int MAX_EXCEPTIONS = 16;

  private FailureKinds() {}

  /**
   * Searches the cause chain (causes and chained SQL exceptions) for the first exception whose
   * codes decide a kind other than {@link ErrorKind#OTHER}.
   *
   * @param dialect classifies raw SQL exceptions
   * @param failure what was thrown, or null
   * @return the kind, {@link ErrorKind#OTHER} when nothing decides one
   */
  public static ErrorKind of(Dialect dialect, @Nullable Throwable failure) {
    IdentityHashMap<Throwable, Boolean> seen = new IdentityHashMap<>();
    List<@Nullable Throwable> queue = new ArrayList<>();
    queue.add(failure);
    while (!queue.isEmpty() && seen.size() < MAX_EXCEPTIONS) {
      Throwable t = queue.remove(0);
      if (t == null || seen.put(t, Boolean.TRUE) != null) {
        continue;
      }
      ErrorKind kind = ErrorKind.OTHER;
      if (t instanceof IdemSqlException idemSql) {
        kind = idemSql.kind();
      } else if (t instanceof SQLException sql) {
        kind = dialect.classify(sql).kind();
        queue.add(sql.getNextException());
      }
      if (kind != ErrorKind.OTHER) {
        return kind;
      }
      queue.add(t.getCause());
    }
    return ErrorKind.OTHER;
  }
}
