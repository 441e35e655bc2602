package io.github.idem.testing;

import org.jspecify.annotations.Nullable;

/**
 * What tests need to know about one {@link Engine}: its JDBC driver, where it shows lock waits, how
 * it reports sessions and how its locking behaves; immutable and thread-safe. Suites ask these
 * instead of switching on the engine, so a fact lives in one place (as ShedLock's {@code DbConfig}
 * does for its lock providers).
 *
 * <pre>{@code
 * EngineFacts facts = Engine.POSTGRESQL.facts();
 * assumeTrue(facts.canSeeLockWaiters());
 * String query = facts.lockWaiterQuery(); // counts sessions waiting for a lock
 * }</pre>
 */
public final class EngineFacts {
  private final String driverClassName;
  private final String driverArtifact;
  private final @Nullable String lockWaiterQuery;
  private final String diagnosticsQuery;
  private final String shortLockTimeoutStatement;
  private final boolean lockTimeoutAbortsTransaction;
  private final boolean singleWriter;
  private final boolean enforcesVarcharLength;
  private final boolean hasServerSessions;
  private final boolean supportsRepeatableRead;
  private final boolean driverRefusesCommitInAutocommit;
  private final boolean postgresFamily;
  private final boolean mySqlProtocol;

  private EngineFacts(Builder b) {
    this.driverClassName = b.driverClassName;
    this.driverArtifact = b.driverArtifact;
    this.lockWaiterQuery = b.lockWaiterQuery;
    this.diagnosticsQuery = b.diagnosticsQuery;
    this.shortLockTimeoutStatement = b.shortLockTimeoutStatement;
    this.lockTimeoutAbortsTransaction = b.lockTimeoutAbortsTransaction;
    this.singleWriter = b.singleWriter;
    this.enforcesVarcharLength = b.enforcesVarcharLength;
    this.hasServerSessions = b.hasServerSessions;
    this.supportsRepeatableRead = b.supportsRepeatableRead;
    this.driverRefusesCommitInAutocommit = b.driverRefusesCommitInAutocommit;
    this.postgresFamily = b.postgresFamily;
    this.mySqlProtocol = b.mySqlProtocol;
  }

  static EngineFacts of(Engine engine) {
    switch (engine) {
      case H2:
        return new Builder("org.h2.Driver", "com.h2database:h2")
            // H2 retries a blocked insert internally: no session sees the waiter
            .diagnosticsQuery("SELECT 1")
            .shortLockTimeout("SET LOCK_TIMEOUT 200")
            .embedded()
            .build();
      case SQLITE:
        return new Builder("org.sqlite.JDBC", "org.xerial:sqlite-jdbc")
            // SQLite spins in its busy handler: no session sees the waiter
            .diagnosticsQuery("SELECT 1")
            .shortLockTimeout("PRAGMA busy_timeout = 200")
            .lockTimeoutAbortsTransaction()
            .embedded()
            .singleWriter()
            .noVarcharLengths()
            .noRepeatableRead()
            .build();
      case POSTGRESQL:
        return new Builder("org.postgresql.Driver", "org.postgresql:postgresql")
            .lockWaiterQuery(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND datname = current_database()")
            .diagnosticsQuery("SELECT pid, state, wait_event_type, query FROM pg_stat_activity")
            .shortLockTimeout("SET lock_timeout = '200ms'")
            .lockTimeoutAbortsTransaction()
            .postgresFamily()
            .build();
      case MARIADB:
        return mySqlProtocol(
                new Builder("org.mariadb.jdbc.Driver", "org.mariadb.jdbc:mariadb-java-client"))
            .build();
      case MYSQL_DRIVER:
        return mySqlProtocol(new Builder("com.mysql.cj.jdbc.Driver", "com.mysql:mysql-connector-j"))
            .driverRefusesCommitInAutocommit()
            .build();
      case GALERA:
      case POSTGRESQL_HA:
        // the nodes are MariaDB and PostgreSQL servers: their facts apply
        return of(engine.nodeEngine());
      default:
        throw new IllegalArgumentException("unknown engine " + engine);
    }
  }

  private static Builder mySqlProtocol(Builder b) {
    // InnoDB's lock views miss an insert waiting on another's uncommitted duplicate; a claim still
    // executing while the holder holds the key is necessarily waiting.
    return b.lockWaiterQuery(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()"
                + " AND COMMAND <> 'Sleep' AND INFO LIKE '%idem_operations%'")
        .diagnosticsQuery(
            "SELECT id, command, time, state, info FROM information_schema.PROCESSLIST"
                + " WHERE command <> 'Sleep'")
        .shortLockTimeout("SET SESSION innodb_lock_wait_timeout = 1")
        .mySqlProtocol();
  }

  /**
   * The JDBC driver class.
   *
   * @return e.g. {@code "org.postgresql.Driver"}
   */
  public String driverClassName() {
    return driverClassName;
  }

  /**
   * The Maven coordinates ({@code groupId:artifactId}) of the JDBC driver, which {@code
   * idem-test-fixtures} declares optional: a project using this engine adds it itself.
   *
   * @return e.g. {@code "org.postgresql:postgresql"}
   */
  public String driverArtifact() {
    return driverArtifact;
  }

  /**
   * Whether another session can see a session blocked on a row lock ({@link #lockWaiterQuery()}).
   * H2 retries a blocked insert internally and SQLite spins in its busy handler: neither shows it.
   *
   * @return true on PostgreSQL and MariaDB
   */
  public boolean canSeeLockWaiters() {
    return lockWaiterQuery != null;
  }

  /**
   * A query whose single {@code COUNT(*)} is positive while another session of this database waits
   * for a lock; on MariaDB, while another session runs a statement on {@code idem_operations}.
   *
   * @return the query
   * @throws IllegalStateException if the engine shows no lock waits ({@link #canSeeLockWaiters()})
   */
  public String lockWaiterQuery() {
    if (lockWaiterQuery == null) {
      throw new IllegalStateException(driverArtifact + ": the engine exposes no lock waits");
    }
    return lockWaiterQuery;
  }

  /**
   * A query listing the server's sessions, for a failure message; {@code SELECT 1} where there are
   * none.
   *
   * @return the query
   */
  public String diagnosticsQuery() {
    return diagnosticsQuery;
  }

  /**
   * A statement that makes this session give up waiting for a row lock after about a second or
   * less.
   *
   * @return e.g. {@code "SET lock_timeout = '200ms'"}
   */
  public String shortLockTimeoutStatement() {
    return shortLockTimeoutStatement;
  }

  /**
   * Whether a lock timeout aborts the whole transaction (PostgreSQL, SQLite) rather than only the
   * statement (H2, InnoDB).
   *
   * @return true if the transaction must be retried
   */
  public boolean lockTimeoutAbortsTransaction() {
    return lockTimeoutAbortsTransaction;
  }

  /**
   * Whether the database admits one writing transaction at a time (SQLite), so two writers never
   * form a lock cycle and a writer blocks every other.
   *
   * @return true on SQLite
   */
  public boolean singleWriter() {
    return singleWriter;
  }

  /**
   * Whether a value longer than its {@code VARCHAR(n)} column fails (SQLite stores it whole).
   *
   * @return false on SQLite
   */
  public boolean enforcesVarcharLength() {
    return enforcesVarcharLength;
  }

  /**
   * Whether the engine is a server with sessions one connection can identify and kill ({@link
   * #sessionIdQuery()}, {@link #killStatement(String)}); false for the embedded H2 and SQLite (H2
   * sessions can still be killed: {@link #canKillSessions()}).
   *
   * @return true on PostgreSQL and MariaDB
   */
  public boolean hasServerSessions() {
    return hasServerSessions;
  }

  /**
   * Whether one connection can end another's session with {@link #killStatement(String)}: on the
   * servers, and on H2 ({@code ABORT_SESSION}, which needs an admin user, as the fixtures' H2 user
   * is), but not on SQLite, which has no sessions.
   *
   * @return true on PostgreSQL, MariaDB and H2
   */
  public boolean canKillSessions() {
    return !singleWriter;
  }

  /**
   * A query returning the current session's id, for {@link #killStatement(String)}.
   *
   * @return the query
   * @throws IllegalStateException on SQLite ({@link #canKillSessions()})
   */
  public String sessionIdQuery() {
    requireSessions();
    if (postgresFamily) {
      return "SELECT pg_backend_pid()";
    }
    return mySqlProtocol ? "SELECT CONNECTION_ID()" : "SELECT SESSION_ID()";
  }

  /**
   * A statement ending another session: its open transaction rolls back and its connection breaks.
   *
   * @param session the id {@link #sessionIdQuery()} returned on that session
   * @return the statement
   * @throws IllegalStateException on SQLite ({@link #canKillSessions()})
   */
  public String killStatement(String session) {
    requireSessions();
    if (postgresFamily) {
      return "SELECT pg_terminate_backend(" + session + ")";
    }
    return mySqlProtocol ? "KILL " + session : "CALL ABORT_SESSION(" + session + ")";
  }

  /**
   * A query whose single {@code COUNT(*)} is 1 while the session is alive and 0 once it has ended,
   * e.g. to wait until the server has noticed a {@link #killStatement(String) kill} or a closed
   * socket.
   *
   * @param session the id {@link #sessionIdQuery()} returned on that session
   * @return the query
   * @throws IllegalStateException on SQLite ({@link #canKillSessions()})
   */
  public String sessionCountQuery(String session) {
    requireSessions();
    if (postgresFamily) {
      return "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = " + session;
    }
    return mySqlProtocol
        ? "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + session
        : "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = " + session;
  }

  private void requireSessions() {
    if (!canKillSessions()) {
      throw new IllegalStateException(driverArtifact + ": the engine has no sessions to kill");
    }
  }

  /**
   * Whether the driver accepts {@code
   * Connection.setTransactionIsolation(TRANSACTION_REPEATABLE_READ)} (sqlite-jdbc does not:
   * SQLite's transactions are serializable).
   *
   * @return false on SQLite
   */
  public boolean supportsRepeatableRead() {
    return supportsRepeatableRead;
  }

  /**
   * Whether the driver refuses {@code Connection.commit()} while autocommit is on, even after a
   * {@code START TRANSACTION} (MySQL Connector/J: "Can't call commit when autocommit=true").
   *
   * @return true for MySQL Connector/J
   */
  public boolean driverRefusesCommitInAutocommit() {
    return driverRefusesCommitInAutocommit;
  }

  /**
   * Whether the engine is PostgreSQL (or speaks its SQL and protocol).
   *
   * @return true on PostgreSQL
   */
  public boolean isPostgresFamily() {
    return postgresFamily;
  }

  /**
   * Whether the engine speaks the MySQL protocol (MariaDB through either driver).
   *
   * @return true for {@link Engine#MARIADB} and {@link Engine#MYSQL_DRIVER}
   */
  public boolean isMySqlProtocol() {
    return mySqlProtocol;
  }

  /**
   * Fails with one line naming the driver's Maven artifact unless the driver is on the class path.
   *
   * @param engine the engine these facts describe, for the message
   * @throws IllegalStateException if the driver class cannot be loaded
   */
  void requireDriver(Engine engine) {
    try {
      Class.forName(driverClassName, false, EngineFacts.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          engine.id()
              + " needs its JDBC driver "
              + driverArtifact
              + " on the class path: idem-test-fixtures declares it optional, add it to your"
              + " test dependencies",
          e);
    }
  }

  private static final class Builder {
    private final String driverClassName;
    private final String driverArtifact;
    private @Nullable String lockWaiterQuery;
    private String diagnosticsQuery = "SELECT 1";
    private String shortLockTimeoutStatement = "";
    private boolean lockTimeoutAbortsTransaction;
    private boolean singleWriter;
    private boolean enforcesVarcharLength = true;
    private boolean hasServerSessions = true;
    private boolean supportsRepeatableRead = true;
    private boolean driverRefusesCommitInAutocommit;
    private boolean postgresFamily;
    private boolean mySqlProtocol;

    Builder(String driverClassName, String driverArtifact) {
      this.driverClassName = driverClassName;
      this.driverArtifact = driverArtifact;
    }

    Builder lockWaiterQuery(String query) {
      lockWaiterQuery = query;
      return this;
    }

    Builder diagnosticsQuery(String query) {
      diagnosticsQuery = query;
      return this;
    }

    Builder shortLockTimeout(String statement) {
      shortLockTimeoutStatement = statement;
      return this;
    }

    Builder lockTimeoutAbortsTransaction() {
      lockTimeoutAbortsTransaction = true;
      return this;
    }

    Builder singleWriter() {
      singleWriter = true;
      return this;
    }

    Builder noVarcharLengths() {
      enforcesVarcharLength = false;
      return this;
    }

    Builder embedded() {
      hasServerSessions = false;
      return this;
    }

    Builder noRepeatableRead() {
      supportsRepeatableRead = false;
      return this;
    }

    Builder driverRefusesCommitInAutocommit() {
      driverRefusesCommitInAutocommit = true;
      return this;
    }

    Builder postgresFamily() {
      postgresFamily = true;
      return this;
    }

    Builder mySqlProtocol() {
      mySqlProtocol = true;
      return this;
    }

    EngineFacts build() {
      return new EngineFacts(this);
    }
  }
}
