package io.github.idem.conformance;

import io.github.idem.IdemListener;
import io.github.idem.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Plain-SQL access to the key records of the default operations table, for tests that check what
 * lease mode, failure policies and key administration wrote, independently of Idem's own reads.
 */
final class KeyRecords {
  private final DataSource dataSource;
  private final String nowMillis;

  KeyRecords(DataSource dataSource, Dialect dialect) {
    this.dataSource = dataSource;
    this.nowMillis = dialect.operations("idem_operations").nowMillis();
  }

  /** One record as stored; {@link #equals} compares the result's bytes. */
  record Row(
      String status,
      int attempt,
      @Nullable Long leaseUntil,
      long createdAt,
      long expiresAt,
      byte @Nullable [] result,
      @Nullable String fingerprint) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Row r
          && status.equals(r.status)
          && attempt == r.attempt
          && java.util.Objects.equals(leaseUntil, r.leaseUntil)
          && createdAt == r.createdAt
          && expiresAt == r.expiresAt
          && Arrays.equals(result, r.result)
          && java.util.Objects.equals(fingerprint, r.fingerprint);
    }

    @Override
    public int hashCode() {
      return status.hashCode() * 31 + attempt;
    }

    @Override
    public String toString() {
      return "Row[" + status + ", attempt=" + attempt + ", leaseUntil=" + leaseUntil + "]";
    }
  }

  /** The record of {@code (scope, key)}, or null. */
  @Nullable Row read(String scope, String key) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT status, attempt, lease_until, created_at, expires_at, result, fingerprint"
                    + " FROM idem_operations WHERE scope = ? AND op_key = ?")) {
      ps.setString(1, scope);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        long lease = rs.getLong(3);
        Long leaseUntil = rs.wasNull() ? null : lease;
        return new Row(
            rs.getString(1),
            rs.getInt(2),
            leaseUntil,
            rs.getLong(4),
            rs.getLong(5),
            rs.getBytes(6),
            rs.getString(7));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The record of {@code (scope, key)}, which must exist. */
  Row require(String scope, String key) {
    Row row = read(scope, key);
    if (row == null) {
      throw new AssertionError("no key record");
    }
    return row;
  }

  /** The database's clock, in epoch milliseconds, through the expression Idem's statements use. */
  long now() {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + nowMillis)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sets a record's {@code lease_until}, e.g. 0 to let its lease pass now. */
  void setLeaseUntil(String scope, String key, long leaseUntil) {
    update(
        "UPDATE idem_operations SET lease_until = ? WHERE scope = ? AND op_key = ?",
        leaseUntil,
        scope,
        key);
  }

  /** Makes every lease of a scope pass now. */
  void expireAll(String scope) {
    update(
        "UPDATE idem_operations SET lease_until = 0 WHERE scope = ? AND lease_until IS NOT NULL",
        scope);
  }

  /**
   * Inserts a RUNNING record without a lease, as a transactional operation's claim leaves it when
   * its body's SQL committed the transaction midway.
   */
  void insertStuck(String scope, String key) {
    long now = now();
    update(
        "INSERT INTO idem_operations (scope, op_key, status, created_at, expires_at, attempt)"
            + " VALUES (?, ?, 'RUNNING', ?, ?, 1)",
        scope,
        key,
        now,
        now + 86_400_000L);
  }

  void update(String sql, Object... values) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** A listener that keeps the lease events as "name:scope:attempt" strings (never the key). */
  static final class Events implements IdemListener {
    final List<String> seen = new CopyOnWriteArrayList<>();
    final List<String> keys = new CopyOnWriteArrayList<>();

    @Override
    public void leaseTakenOver(String scope, String key, int attempt) {
      seen.add("leaseTakenOver:" + scope + ":" + attempt);
      keys.add(key);
    }

    @Override
    public void retried(String subject, int attempt, io.github.idem.api.ErrorKind kind) {
      seen.add("retried:" + kind);
    }

    @Override
    public void released(String scope, String key, int attempt) {
      seen.add("released:" + scope + ":" + attempt);
      keys.add(key);
    }
  }
}
