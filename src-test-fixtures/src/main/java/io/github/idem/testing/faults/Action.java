package io.github.idem.testing.faults;

import io.github.idem.testing.EngineFacts;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Fault} does to the connection when it fires; immutable and thread-safe.
 *
 * <p>Every action that breaks the connection also marks it for the pool to discard: on close, a
 * HikariCP connection is evicted, so the next borrower never gets it.
 *
 * <pre>{@code
 * Action.loseConnection();                            // portable: every engine
 * Action.killSession(db.dataSource(), engine.facts()); // the server ends the session
 * Action.loseReplyVia(proxy);                         // the network drops the reply
 * }</pre>
 */
public final class Action {
  private static final long KILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * Opens the connection a kill runs on. A session id names a session on one server only: where the
   * victim may be on one of several servers (the nodes of a cluster), open it on the victim's.
   */
  @FunctionalInterface
  public interface Admin {
    /**
     * Opens a connection to the server that holds the victim's session.
     *
     * @param victim the victim's real connection, for its metadata only: a statement on it would
     *     change what the fault tests
     * @return a new connection; the action closes it
     * @throws SQLException if it cannot be opened
     */
    Connection openBeside(Connection victim) throws SQLException;
  }

  /** A hook run at the fault's moment with the real connection, e.g. to wait on a latch. */
  @FunctionalInterface
  public interface Callback {
    /**
     * Runs the hook.
     *
     * @param real the wrapped (real) connection, not the {@link FaultyDataSource} wrapper
     * @throws Exception to fail the call with it
     */
    void run(Connection real) throws Exception;
  }

  private enum Kind {
    LOSE_CONNECTION,
    ABORT_CONNECTION,
    KILL_SESSION,
    RUN,
    LOSE_REQUEST,
    LOSE_REPLY
  }

  private final Kind kind;
  private final @Nullable Admin admin;
  private final @Nullable EngineFacts facts;
  private final @Nullable Callback callback;
  private final @Nullable LoopbackProxy proxy;

  private Action(
      Kind kind,
      @Nullable Admin admin,
      @Nullable EngineFacts facts,
      @Nullable Callback callback,
      @Nullable LoopbackProxy proxy) {
    this.kind = kind;
    this.admin = admin;
    this.facts = facts;
    this.callback = callback;
    this.proxy = proxy;
  }

  /**
   * The portable lost connection, on every engine: the real connection is aborted ({@code
   * Connection.abort}; a driver whose abort does nothing, as sqlite-jdbc's, is closed instead) and
   * the call throws {@code SQLException("injected fault: connection lost ...", "08006")}. {@link
   * When#BEFORE}: the call is not made (a lost request). {@link When#DURING}: the call runs to
   * completion first, its result or exception is dropped (the exception is attached as suppressed):
   * a lost reply. {@link When#AFTER}: the call returns normally. Every later call on the
   * connection, and on its statements, throws the same 08006 error, except {@code close()}, {@code
   * isClosed()} (true), {@code isValid} (false) and {@code abort}.
   *
   * @return the action
   */
  public static Action loseConnection() {
    return new Action(Kind.LOSE_CONNECTION, null, null, null, null);
  }

  /**
   * A client-side {@code Connection.abort} of the real connection (closed instead where the
   * driver's abort does nothing, as sqlite-jdbc's), after which the call, and every later one, is
   * made as usual, so the driver raises its own error for a closed connection. {@link When#BEFORE}
   * or {@link When#AFTER} only.
   *
   * @return the action
   */
  public static Action abortConnection() {
    return new Action(Kind.ABORT_CONNECTION, null, null, null, null);
  }

  /**
   * A server-side kill from a second connection: {@link EngineFacts#killStatement(String)} ({@code
   * pg_terminate_backend}, MariaDB {@code KILL}, H2 {@code ABORT_SESSION}) runs on a connection
   * from {@code admin}, and the action waits (at most 10 s) until {@link
   * EngineFacts#sessionCountQuery(String)} no longer sees the session. The victim's session id
   * comes from {@link EngineFacts#sessionIdQuery()}, run on the real connection when it is handed
   * out while this fault is armed, else just before the matched call (which fails on PostgreSQL
   * inside an aborted transaction: arm before borrowing). {@link When#BEFORE}: the call is then
   * made on the killed session and the driver raises its real error. {@link When#AFTER}: the call
   * returns normally and the next call meets the killed session. {@link When#DURING} is refused (a
   * kill cannot be placed reliably inside a call; use {@link #loseReplyVia} instead).
   *
   * @param admin where the killing connection comes from, e.g. the test database's own pool (not
   *     the {@link FaultyDataSource})
   * @param facts the engine's facts; {@link EngineFacts#canKillSessions()} must be true
   * @return the action
   */
  public static Action killSession(DataSource admin, EngineFacts facts) {
    Objects.requireNonNull(admin, "admin");
    return killSession(victim -> admin.getConnection(), facts);
  }

  /**
   * As {@link #killSession(DataSource, EngineFacts)}, with the killing connection opened on the
   * victim's server by {@code admin}: for a cluster whose nodes number their sessions each on its
   * own.
   *
   * @param admin opens the killing connection beside the victim
   * @param facts the engine's facts; {@link EngineFacts#canKillSessions()} must be true
   * @return the action
   */
  public static Action killSession(Admin admin, EngineFacts facts) {
    return new Action(
        Kind.KILL_SESSION,
        Objects.requireNonNull(admin, "admin"),
        Objects.requireNonNull(facts, "facts"),
        null,
        null);
  }

  /**
   * Runs {@code callback} with the real connection. {@link When#BEFORE}: then the call is made (a
   * hook to hold the call at a latch). {@link When#DURING} and {@link When#AFTER}: the call is made
   * first, then the callback runs before the call returns. A callback that throws fails the call
   * with its exception (a checked one other than {@code SQLException} wrapped in an {@code
   * SQLException}); the call's own effects stay.
   *
   * @param callback the hook
   * @return the action
   */
  public static Action run(Callback callback) {
    return new Action(Kind.RUN, null, null, Objects.requireNonNull(callback, "callback"), null);
  }

  /**
   * The network drops the call's request: {@link LoopbackProxy#loseNextRequest()} is armed right
   * before the call, whose bytes then never reach the server; the driver raises its own I/O error.
   * The connection must go through {@code proxy} and no other connection through it may send
   * meanwhile (see {@link LoopbackProxy}). {@link When#BEFORE} only.
   *
   * @param proxy the proxy the connection goes through
   * @return the action
   */
  public static Action loseRequestVia(LoopbackProxy proxy) {
    return new Action(Kind.LOSE_REQUEST, null, null, null, Objects.requireNonNull(proxy, "proxy"));
  }

  /**
   * The network drops the call's reply: {@link LoopbackProxy#loseNextReply()} is armed right before
   * the call, which reaches the server and runs (a commit commits); its reply is discarded and the
   * sockets closed, so the driver raises its own I/O error. The same conditions as {@link
   * #loseRequestVia} apply. {@link When#DURING} only.
   *
   * @param proxy the proxy the connection goes through
   * @return the action
   */
  public static Action loseReplyVia(LoopbackProxy proxy) {
    return new Action(Kind.LOSE_REPLY, null, null, null, Objects.requireNonNull(proxy, "proxy"));
  }

  /** Refuses a moment this action does not support. */
  void check(When when) {
    boolean supported;
    switch (kind) {
      case ABORT_CONNECTION:
        supported = when != When.DURING;
        break;
      case KILL_SESSION:
        if (!Objects.requireNonNull(facts).canKillSessions()) {
          throw new IllegalArgumentException(
              this + ": the engine has no sessions to kill; use loseConnection()");
        }
        supported = when != When.DURING;
        break;
      case LOSE_REQUEST:
        supported = when == When.BEFORE;
        break;
      case LOSE_REPLY:
        supported = when == When.DURING;
        break;
      default:
        supported = true;
    }
    if (!supported) {
      throw new IllegalArgumentException(this + " does not support " + when);
    }
  }

  /** Whether the victim's session id is needed, so it is learned when the connection is lent. */
  @Nullable EngineFacts sessionFacts() {
    return kind == Kind.KILL_SESSION ? facts : null;
  }

  /** Performs the action around the call, returning the call's result or throwing. */
  @Nullable Object apply(When when, Victim victim, Victim.Invocation call, String what)
      throws Throwable {
    String session =
        kind == Kind.KILL_SESSION ? victim.sessionId(Objects.requireNonNull(facts)) : "";
    if (when == When.BEFORE) {
      if (kind == Kind.LOSE_CONNECTION) {
        victim.lose();
        throw lost(what);
      }
      act(victim, session);
      return call.proceed();
    }
    if (kind == Kind.LOSE_REPLY) {
      act(victim, session);
      return call.proceed();
    }
    @Nullable Object result = null;
    Throwable failure = null;
    try {
      result = call.proceed();
    } catch (Throwable t) {
      failure = t;
    }
    if (kind == Kind.LOSE_CONNECTION && when == When.DURING) {
      victim.lose();
      SQLException lost = lost(what);
      if (failure != null) {
        lost.addSuppressed(failure);
      }
      throw lost;
    }
    try {
      act(victim, session);
    } catch (Throwable t) {
      if (failure != null) {
        t.addSuppressed(failure);
      }
      throw t;
    }
    if (failure != null) {
      throw failure;
    }
    return result;
  }

  private void act(Victim victim, String session) throws SQLException {
    switch (kind) {
      case LOSE_CONNECTION:
        victim.lose();
        break;
      case ABORT_CONNECTION:
        victim.abort();
        break;
      case KILL_SESSION:
        kill(session, victim.real());
        victim.markBroken();
        break;
      case RUN:
        runCallback(victim.real());
        break;
      case LOSE_REQUEST:
        Objects.requireNonNull(proxy).loseNextRequest();
        victim.markBroken();
        break;
      case LOSE_REPLY:
        Objects.requireNonNull(proxy).loseNextReply();
        victim.markBroken();
        break;
    }
  }

  private void runCallback(Connection real) throws SQLException {
    try {
      Objects.requireNonNull(callback).run(real);
    } catch (SQLException | RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("injected fault: callback interrupted", e);
    } catch (Exception e) {
      throw new SQLException("injected fault: callback failed: " + e, e);
    }
  }

  private void kill(String session, Connection victim) throws SQLException {
    EngineFacts engine = Objects.requireNonNull(facts);
    try (Connection killer = Objects.requireNonNull(admin).openBeside(victim);
        Statement statement = killer.createStatement()) {
      statement.execute(engine.killStatement(session));
      long deadline = System.nanoTime() + KILL_WAIT_NANOS;
      // the server ends the session asynchronously; the call must meet a dead session
      while (sessions(statement, engine.sessionCountQuery(session)) > 0) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(
              "session " + session + " still alive 10 s after " + engine.killStatement(session));
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
    }
  }

  private static long sessions(Statement statement, String query) throws SQLException {
    try (ResultSet rs = statement.executeQuery(query)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  static SQLException lost(String what) {
    return new SQLException("injected fault: connection lost at " + what, "08006");
  }

  @Override
  public String toString() {
    switch (kind) {
      case LOSE_CONNECTION:
        return "loseConnection()";
      case ABORT_CONNECTION:
        return "abortConnection()";
      case KILL_SESSION:
        return "killSession(" + Objects.requireNonNull(facts).driverArtifact() + ")";
      case RUN:
        return "run(" + callback + ")";
      case LOSE_REQUEST:
        return "loseRequestVia(" + proxy + ")";
      default:
        return "loseReplyVia(" + proxy + ")";
    }
  }
}
