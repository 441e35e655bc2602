package io.github.idem.internal;

import io.github.idem.dialect.KeyRecordSql;
import io.github.idem.dialect.OperationsStatement;
import io.github.idem.dialect.OperationsStatement.Param;
import io.github.idem.dialect.OperationsTableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Runs the statements of {@link KeyRecordSql} on one key of an {@link OperationStore}: reads of the
 * whole record and the updates fenced by attempt and status. Each update returns how many rows it
 * changed; 0 means the record was not in the expected state (another attempt took the key over).
 * Immutable and thread-safe.
 */
public final class RecordStatements {
  /** How much longer than its lease a leased record is kept at least, in milliseconds. */
  private static final long LEASE_EXPIRY_MARGIN_MILLIS = 1000;

  private final OperationStore store;
  private final KeyRecordSql sql;

  /**
   * Creates the statements of a store.
   *
   * @param store the store whose table and scope they use
   */
  public RecordStatements(OperationStore store) {
    this.store = store;
    this.sql = store.context().operationsSql().records();
  }

  /**
   * A key record as stored, with the database's clock at the read.
   *
   * @param key the key
   * @param status the status
   * @param fingerprint the request fingerprint, or null
   * @param result the stored result, failure or recovery points, or null
   * @param attempt the attempt number
   * @param leaseUntil when the lease ends, epoch milliseconds, or null
   * @param createdAt when the key was first claimed, epoch milliseconds
   * @param expiresAt when the record may be purged, epoch milliseconds
   * @param now the database's clock at the read, epoch milliseconds
   */
  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed
  public record State(
      String key,
      String status,
      @Nullable String fingerprint,
      byte @Nullable [] result,
      int attempt,
      @Nullable Long leaseUntil,
      long createdAt,
      long expiresAt,
      long now) {
    /** Tells whether a lease is set and has not passed. */
    public boolean leaseLive() {
      return leaseUntil != null && leaseUntil > now;
    }

    /** Returns what a fenced update of this record, as read, compares. */
    public Fence fence() {
      return new Fence(attempt, createdAt);
    }

    /** Returns how long the lease has left on the database clock, in milliseconds; 0 if none. */
    public long leaseLeftMillis() {
      return leaseUntil == null ? 0 : Math.max(0, leaseUntil - now);
    }
  }

  /**
   * Reads a key's record.
   *
   * @param c the connection
   * @param key the key
   * @param locked whether to lock the row until the transaction ends
   * @return the record, or null when there is none
   * @throws SQLException from the database
   */
  public @Nullable State read(Connection c, String key, boolean locked) throws SQLException {
    OperationsStatement statement = locked ? sql.lockedRead() : sql.inspect();
    try (PreparedStatement ps = c.prepareStatement(statement.sql())) {
      bind(ps, statement, new Binds(key));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? state(key, rs, 1) : null;
      }
    }
  }

  /**
   * Lists a scope's RUNNING records whose lease has passed, oldest lease first.
   *
   * @param c the connection
   * @param limit the most records to return
   * @return the records
   * @throws SQLException from the database
   */
  public List<State> expired(Connection c, int limit) throws SQLException {
    List<State> states = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.expired().sql())) {
      Binds binds = new Binds(null);
      binds.expectedStatus = OperationsTableSchema.RUNNING;
      bind(ps, sql.expired(), binds);
      ps.setMaxRows(limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next() && states.size() < limit) {
          states.add(state(rs.getString(1), rs, 2));
        }
      }
    }
    return states;
  }

  /**
   * What a fenced update compares: one attempt of one record of a key. The attempt alone would
   * match the key's next record after a purge, which starts again at attempt 1.
   *
   * @param attempt the attempt number
   * @param createdAt the record's {@code created_at}
   */
  public record Fence(int attempt, long createdAt) {}

  /**
   * Sets the lease of the fenced holder to end {@code leaseMillis} from now.
   *
   * @return rows changed: 1, or 0 when the attempt no longer holds the key
   * @throws SQLException from the database
   */
  public int extend(Connection c, String key, Fence fence, long leaseMillis) throws SQLException {
    Binds binds = fenced(key, fence, OperationsTableSchema.RUNNING);
    binds.leaseMillis = leaseMillis;
    return update(c, sql.extend(), binds);
  }

  /**
   * Takes a RUNNING record whose lease passed over: the next attempt, with a new lease, keeping the
   * recovery points.
   *
   * @param journal the recovery points to keep
   * @return rows changed: 1, or 0 when another caller changed the record first
   * @throws SQLException from the database
   */
  public int takeover(
      Connection c, String key, Fence fence, long leaseMillis, byte @Nullable [] journal)
      throws SQLException {
    Binds binds = fenced(key, fence, OperationsTableSchema.RUNNING);
    binds.status = OperationsTableSchema.RUNNING;
    binds.leaseMillis = leaseMillis;
    binds.result = journal;
    return update(c, sql.takeover(), binds);
  }

  /**
   * Starts a new run of a FAILED record: the next attempt, RUNNING, no result, a new {@code
   * created_at}.
   *
   * @param leaseMillis the new lease from now, or null for none (a transaction's claim)
   * @return rows changed: 1, or 0 when another caller changed the record first
   * @throws SQLException from the database
   */
  public int rerun(Connection c, String key, Fence fence, @Nullable Long leaseMillis)
      throws SQLException {
    Binds binds = fenced(key, fence, OperationsTableSchema.FAILED);
    binds.status = OperationsTableSchema.RUNNING;
    binds.leaseMillis = leaseMillis;
    return update(c, sql.rerun(), binds);
  }

  /**
   * Stores the recovery points of the fenced holder and extends its lease.
   *
   * @return rows changed: 1, or 0 when the attempt no longer holds the key
   * @throws SQLException from the database
   */
  public int checkpoint(Connection c, String key, Fence fence, byte[] journal, long leaseMillis)
      throws SQLException {
    Binds binds = fenced(key, fence, OperationsTableSchema.RUNNING);
    binds.result = journal;
    binds.leaseMillis = leaseMillis;
    return update(c, sql.checkpoint(), binds);
  }

  /**
   * Stores the final status and result of the fenced holder; the retention restarts.
   *
   * @return rows changed: 1, or 0 when the attempt no longer holds the key
   * @throws SQLException from the database
   */
  public int finish(Connection c, String key, Fence fence, String status, byte @Nullable [] result)
      throws SQLException {
    Binds binds = fenced(key, fence, OperationsTableSchema.RUNNING);
    binds.status = status;
    binds.result = result;
    return update(c, sql.finish(), binds);
  }

  /**
   * Ends the fenced holder's lease now and increments the attempt, fencing the holder out.
   *
   * @return rows changed: 1, or 0 when the record is not a RUNNING lease of that attempt
   * @throws SQLException from the database
   */
  public int release(Connection c, String key, Fence fence) throws SQLException {
    return update(c, sql.release(), fenced(key, fence, OperationsTableSchema.RUNNING));
  }

  /**
   * Deletes a RUNNING record without a lease at the fenced attempt.
   *
   * @return rows changed: 1, or 0 when the record is not such a record
   * @throws SQLException from the database
   */
  public int deleteStuck(Connection c, String key, Fence fence) throws SQLException {
    return update(c, sql.deleteStuck(), fenced(key, fence, OperationsTableSchema.RUNNING));
  }

  private Binds fenced(String key, Fence fence, String expectedStatus) {
    Binds binds = new Binds(key);
    binds.attempt = fence.attempt();
    binds.createdAt = fence.createdAt();
    binds.expectedStatus = expectedStatus;
    return binds;
  }

  private int update(Connection c, OperationsStatement statement, Binds binds) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement.sql())) {
      bind(ps, statement, binds);
      return ps.executeUpdate();
    }
  }

  private static State state(String key, ResultSet rs, int first) throws SQLException {
    long leaseUntil = rs.getLong(first + 4);
    Long lease = rs.wasNull() ? null : leaseUntil;
    return new State(
        key,
        rs.getString(first),
        rs.getString(first + 1),
        rs.getBytes(first + 2),
        rs.getInt(first + 3),
        lease,
        rs.getLong(first + 5),
        rs.getLong(first + 6),
        rs.getLong(first + 7));
  }

  /** The values one statement binds; unset ones stay null. */
  private static final class Binds {
    private final @Nullable String key;
    private @Nullable String status;
    private @Nullable String expectedStatus;
    private @Nullable Long leaseMillis;
    private byte @Nullable [] result;
    private int attempt;
    private long createdAt;

    Binds(@Nullable String key) {
      this.key = key;
    }
  }

  private void bind(PreparedStatement ps, OperationsStatement statement, Binds binds)
      throws SQLException {
    int index = 1;
    for (Param param : statement.binds()) {
      switch (param) {
        case SCOPE -> ps.setString(index++, store.storedScope());
        case KEY -> ps.setString(index++, binds.key);
        case STATUS -> ps.setString(index++, binds.status);
        case EXPECTED_STATUS -> ps.setString(index++, binds.expectedStatus);
        case ATTEMPT -> ps.setInt(index++, binds.attempt);
        case CREATED_AT -> ps.setLong(index++, binds.createdAt);
        case RESULT -> ps.setBytes(index++, binds.result);
        case RETENTION_MILLIS ->
            // Beyond the lease, so that a purge never removes a record whose lease is live. The
            // second of margin covers the clock moving between the two columns' evaluations in
            // one statement (SYSDATE and clock_timestamp are read per call).
            ps.setLong(
                index++,
                Math.max(
                    store.retentionMillis(),
                    binds.leaseMillis == null
                        ? 0
                        : binds.leaseMillis + LEASE_EXPIRY_MARGIN_MILLIS));
        case LEASE_MILLIS -> {
          if (binds.leaseMillis == null) {
            ps.setNull(index++, Types.BIGINT);
          } else {
            ps.setLong(index++, binds.leaseMillis);
          }
        }
        default -> throw new IllegalStateException("unexpected parameter " + param);
      }
    }
  }
}
