package io.github.idem.dialect;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The one definition of the processed-operations table: its columns in DDL order with their types
 * and nullability, its primary key, the columns a claim writes, the status values and the length
 * limits of scopes and keys. The DDL, the claim, the reads, the completion, the purge, the
 * verification and the shipped migration scripts are all derived from (or tested against) this
 * class. It is the storage format: dialect authors render from it; applications never need it.
 *
 * <pre>{@code
 * for (OperationsTableSchema.Column column : OperationsTableSchema.Column.values()) {
 *   System.out.println(column.columnName() + " " + column.type());
 * }
 * }</pre>
 */
public final class OperationsTableSchema {
  /** Default table name. */
  public static final String DEFAULT_TABLE = "idem_operations";

  /** Longest scope, in characters; enforced by the client, never truncated by the server. */
  public static final int MAX_SCOPE_LENGTH = 128;

  /** Longest operation key or message id, in characters. */
  public static final int MAX_KEY_LENGTH = 255;

  /**
   * Prefix of the stored scope of every consumer's records: consumer {@code billing} stores its
   * message ids under scope {@code consumer:billing}. Operation scopes may not start with it, so
   * the keys of a consumer and of an operation never meet in the table, whatever their names.
   */
  public static final String CONSUMER_SCOPE_PREFIX = "consumer:";

  /** Longest consumer name, in characters: the scope column also holds the prefix. */
  public static final int MAX_CONSUMER_NAME_LENGTH =
      MAX_SCOPE_LENGTH - CONSUMER_SCOPE_PREFIX.length();

  /** Status of a completed operation. */
  public static final String DONE = "DONE";

  /**
   * Status of a claimed operation whose body has not completed. In transactional mode other
   * sessions never see it unless a body committed its transaction midway.
   */
  public static final String RUNNING = "RUNNING";

  /**
   * Status of an operation whose execution ended in a terminal failure that was recorded (a
   * declined card); the result column holds the encoded failure.
   */
  public static final String FAILED = "FAILED";

  /** The primary key. */
  public static final List<Column> PRIMARY_KEY = List.of(Column.SCOPE, Column.OP_KEY);

  /**
   * The columns a claim writes, in the order of {@link #claimRow}. {@code created_at} and {@code
   * expires_at} take the database clock; the row holds the retention for the latter.
   */
  public static final List<Column> CLAIM_COLUMNS =
      List.of(
          Column.SCOPE,
          Column.OP_KEY,
          Column.FINGERPRINT,
          Column.STATUS,
          Column.CREATED_AT,
          Column.EXPIRES_AT,
          Column.RESULT);

  private OperationsTableSchema() {}

  /**
   * Returns the scope a consumer's records are stored under.
   *
   * @param consumerName a valid consumer name
   * @return {@link #CONSUMER_SCOPE_PREFIX} followed by the name
   */
  public static String consumerScope(String consumerName) {
    return CONSUMER_SCOPE_PREFIX + consumerName;
  }

  /**
   * Returns the values of a claim in the order of {@link #CLAIM_COLUMNS}.
   *
   * @param scope the scope
   * @param key the operation key
   * @param fingerprint the request fingerprint, or null
   * @param status {@link #RUNNING}, or {@link #DONE} when the result is known before the work runs
   * @param retentionMillis how long the record is kept, in milliseconds
   * @param result the stored result, or null
   * @return one value per claim column ({@code created_at}'s slot is ignored)
   */
  public static @Nullable Object[] claimRow(
      String scope,
      String key,
      @Nullable String fingerprint,
      String status,
      long retentionMillis,
      byte @Nullable [] result) {
    return new @Nullable Object[] {scope, key, fingerprint, status, null, retentionMillis, result};
  }

  /** The portable type of a column; each dialect spells it. */
  public enum Type {
    /** Text compared byte for byte: no case folding, no trailing-space padding. */
    KEY_TEXT,
    /** Bounded text. */
    TEXT,
    /** Bytes. */
    BYTES,
    /** A 64-bit integer (epoch milliseconds). */
    BIGINT,
    /** A 32-bit integer. */
    INTEGER
  }

  /** A column, in DDL order. */
  public enum Column {
    /**
     * The scope of the key: an operation's scope as given, or {@link #consumerScope a consumer's
     * name behind a prefix}.
     */
    SCOPE("scope", Type.KEY_TEXT, MAX_SCOPE_LENGTH, false, null),
    /** The operation key. */
    OP_KEY("op_key", Type.KEY_TEXT, MAX_KEY_LENGTH, false, null),
    /** SHA-256 of the request, lower-case hex. */
    FINGERPRINT("fingerprint", Type.TEXT, 64, true, null),
    /** {@link #RUNNING}, {@link #DONE} or {@link #FAILED}. */
    STATUS("status", Type.TEXT, 16, false, null),
    /**
     * The stored result, the encoded failure of a {@link #FAILED} record, or, while a leased record
     * is {@link #RUNNING}, its recovery points.
     */
    RESULT("result", Type.BYTES, 0, true, null),
    /** When the key was claimed, epoch milliseconds of the database clock. */
    CREATED_AT("created_at", Type.BIGINT, 0, false, null),
    /** When the record may be purged, epoch milliseconds of the database clock. */
    EXPIRES_AT("expires_at", Type.BIGINT, 0, false, null),
    /**
     * Lease mode: when the holder's lease ends, epoch milliseconds of the database clock; NULL for
     * a record claimed inside a transaction, or a completed one.
     */
    LEASE_UNTIL("lease_until", Type.BIGINT, 0, true, null),
    /** Lease mode: the attempt number, a fencing token. */
    ATTEMPT("attempt", Type.INTEGER, 0, false, "1");

    private final String columnName;
    private final Type type;
    private final int length;
    private final boolean nullable;
    private final @Nullable String defaultValue;

    Column(
        String columnName, Type type, int length, boolean nullable, @Nullable String defaultValue) {
      this.columnName = columnName;
      this.type = type;
      this.length = length;
      this.nullable = nullable;
      this.defaultValue = defaultValue;
    }

    /**
     * Returns the column's name, unquoted, as written in the DDL.
     *
     * @return the name
     */
    public String columnName() {
      return columnName;
    }

    /**
     * Returns the portable type.
     *
     * @return the type
     */
    public Type type() {
      return type;
    }

    /**
     * Returns the length in characters of a text column.
     *
     * @return the length, or 0 for other types
     */
    public int length() {
      return length;
    }

    /**
     * Tells whether the column admits NULL.
     *
     * @return {@code true} when nullable
     */
    public boolean nullable() {
      return nullable;
    }

    /**
     * Returns the column's default as an SQL literal.
     *
     * @return the default, or null for none
     */
    public @Nullable String defaultValue() {
      return defaultValue;
    }
  }
}
