package io.github.idem.conformance;

import io.github.idem.api.ErrorKind;
import io.github.idem.testing.Engine;
import io.github.idem.testing.faults.When;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The case list of {@link FaultConformance} and what Idem must report for each case, derived from
 * the rules (not from observed behaviour): a fault before the committing call loses uncommitted
 * work ({@code CONNECTION_LOST}); a fault on the committing call leaves the outcome unknown unless
 * the driver's error proves the connection was closed before the call; a fault once the outcome is
 * settled is no failure at all.
 */
final class FaultCases {
  private FaultCases() {}

  /** What is executed, and how Idem brackets it. */
  enum Path {
    OPERATION("guarded operation"),
    OPERATION_IN_CALLER("guarded operation in the caller's transaction"),
    INSERT("guarded insert"),
    UPSERT("upsert"),
    UPSERT_SECOND_KEY("upsert, table with a second unique key"),
    INSERT_IF_ABSENT("insertIfAbsent"),
    CONSUMER("consumer process");

    final String label;

    Path(String label) {
      this.label = label;
    }
  }

  /** Which call the fault fires at. */
  enum Where {
    CLAIM("claim"),
    BODY("business statement"),
    COMPLETION("completion"),
    COMMIT("commit"),
    AFTER_COMMIT("afterCommit"),
    /** The one statement an autocommit path runs. */
    STATEMENT("autocommit statement"),
    /** The first of the statements an autocommit path runs, each committing by itself. */
    FIRST_STATEMENT("first autocommit statement"),
    /** The last of them. */
    LAST_STATEMENT("last autocommit statement");

    final String label;

    Where(String label) {
      this.label = label;
    }
  }

  /** The fault's action, with the moments it supports. */
  enum Act {
    LOSE_CONNECTION("loseConnection", When.BEFORE, When.DURING, When.AFTER),
    ABORT_CONNECTION("abortConnection", When.BEFORE, When.AFTER),
    KILL_SESSION("killSession", When.BEFORE, When.AFTER),
    LOSE_REQUEST("loseRequestVia(proxy)", When.BEFORE),
    LOSE_REPLY("loseReplyVia(proxy)", When.DURING);

    final String label;
    final List<When> moments;

    Act(String label, When... moments) {
      this.label = label;
      this.moments = List.of(moments);
    }

    boolean proxied() {
      return this == LOSE_REQUEST || this == LOSE_REPLY;
    }
  }

  /**
   * One case; a distinct key per case keeps the cases independent.
   *
   * @param transactional whether the path runs in a transaction Idem owns or the caller's
   */
  record Case(int index, Path path, boolean transactional, Where where, When when, Act act) {
    String name() {
      return "#" + index + " " + path.label + ": " + when + " " + where.label + " " + act.label;
    }

    /** Whether the armed fault must fire; afterCommit never comes on an autocommit path. */
    boolean mustFire() {
      return where != Where.AFTER_COMMIT || transactional;
    }
  }

  /**
   * The cases for an engine.
   *
   * @param autocommit how many statements each autocommit path runs for a new key; the guarded
   *     insert is among them where it is one statement (PostgreSQL)
   */
  static List<Case> all(Engine engine, Map<Path, Integer> autocommit) {
    List<Act> acts = new ArrayList<>(List.of(Act.LOSE_CONNECTION, Act.ABORT_CONNECTION));
    if (engine.facts().canKillSessions()) {
      acts.add(Act.KILL_SESSION);
    }
    if (proxyEngine(engine)) {
      acts.add(Act.LOSE_REQUEST);
      acts.add(Act.LOSE_REPLY);
    }
    List<Case> cases = new ArrayList<>();
    for (Path path : Path.values()) {
      for (Where where : points(path, autocommit, engine)) {
        for (Act act : acts) {
          if (where == Where.AFTER_COMMIT && act.proxied()) {
            continue; // the call after a commit may send nothing, leaving the proxy armed
          }
          for (When when : act.moments) {
            boolean transactional = !autocommit.containsKey(path);
            if (where == Where.AFTER_COMMIT
                && !transactional
                && !(act == Act.LOSE_CONNECTION && when == When.BEFORE)) {
              continue; // one probe shows it never fires
            }
            cases.add(new Case(cases.size() + 1, path, transactional, where, when, act));
          }
        }
      }
    }
    return cases;
  }

  static boolean proxyEngine(Engine engine) {
    return engine == Engine.POSTGRESQL || engine == Engine.MARIADB || engine == Engine.MYSQL_DRIVER;
  }

  /**
   * Whether the path's completion carries the commit (PostgreSQL, in a transaction Idem opened for
   * one guarded operation or one message): one call, so the completion is the committing call.
   */
  private static boolean completionCommits(Path path, Engine engine) {
    return (path == Path.OPERATION || path == Path.CONSUMER) && engine == Engine.POSTGRESQL;
  }

  private static List<Where> points(Path path, Map<Path, Integer> autocommit, Engine engine) {
    if (autocommit.containsKey(path)) {
      return autocommit.get(path) == 1
          ? List.of(Where.STATEMENT, Where.AFTER_COMMIT)
          : List.of(Where.FIRST_STATEMENT, Where.LAST_STATEMENT, Where.AFTER_COMMIT);
    }
    if (completionCommits(path, engine)) {
      return List.of(Where.CLAIM, Where.BODY, Where.COMPLETION, Where.AFTER_COMMIT);
    }
    switch (path) {
      case OPERATION:
      case CONSUMER:
        return List.of(Where.CLAIM, Where.BODY, Where.COMPLETION, Where.COMMIT, Where.AFTER_COMMIT);
      case OPERATION_IN_CALLER:
        return List.of(Where.CLAIM, Where.BODY, Where.COMPLETION);
      case INSERT:
        return List.of(Where.CLAIM, Where.BODY, Where.COMMIT, Where.AFTER_COMMIT);
      default:
        throw new IllegalArgumentException(path + " runs in autocommit: count its statements");
    }
  }

  /**
   * The kinds the first failure may have (one, except where noted), or none when the first call
   * must succeed.
   *
   * @param firstReads whether the path's first autocommit statement only reads (a SELECT)
   */
  static Set<ErrorKind> expected(Case c, Engine engine, boolean firstReads) {
    Optional<ErrorKind> kind = expected(c, engine);
    if (c.where() == Where.FIRST_STATEMENT && firstReads) {
      // a read commits nothing, so a lost connection around it is precise; that Idem reports
      // every failure in autocommit as a possible commit is conservative, not wrong
      return EnumSet.of(ErrorKind.CONNECTION_LOST, ErrorKind.OUTCOME_UNKNOWN);
    }
    return kind.map(EnumSet::of).orElseGet(() -> EnumSet.noneOf(ErrorKind.class));
  }

  private static Optional<ErrorKind> expected(Case c, Engine engine) {
    if (c.path() == Path.OPERATION_IN_CALLER) {
      // the caller's own commit is never sent after a fault before it: nothing committed
      return Optional.of(ErrorKind.CONNECTION_LOST);
    }
    if (c.where() == Where.AFTER_COMMIT) {
      return Optional.empty();
    }
    if (c.where() == Where.FIRST_STATEMENT) {
      // it commits by itself; after it, the next statement meets the spoiled connection
      return Optional.of(onCommittingCall(c, engine));
    }
    boolean committingCall =
        c.where() == Where.COMMIT
            || c.where() == Where.STATEMENT
            || c.where() == Where.LAST_STATEMENT
            || (c.where() == Where.COMPLETION && completionCommits(c.path(), engine));
    if (committingCall) {
      return c.when() == When.AFTER ? Optional.empty() : Optional.of(onCommittingCall(c, engine));
    }
    if (c.when() == When.AFTER && lastBeforeCommit(c, engine)) {
      // the action spoils the connection after this call: the next call is the commit
      return Optional.of(onCommittingCall(c, engine));
    }
    return Optional.of(ErrorKind.CONNECTION_LOST);
  }

  private static boolean lastBeforeCommit(Case c, Engine engine) {
    if (completionCommits(c.path(), engine)) {
      return c.where() == Where.BODY;
    }
    switch (c.path()) {
      case OPERATION:
      case CONSUMER:
        return c.where() == Where.COMPLETION;
      case INSERT:
        return c.where() == Where.BODY;
      default:
        return false;
    }
  }

  /** A committing call made on a spoiled connection, or whose reply is lost. */
  private static ErrorKind onCommittingCall(Case c, Engine engine) {
    switch (c.act()) {
      case ABORT_CONNECTION:
        // the driver reports a connection closed before the call: nothing was sent
        return ErrorKind.CONNECTION_LOST;
      case KILL_SESSION:
        // H2 reports the session ended by ABORT_SESSION; a server's socket error proves nothing
        return engine == Engine.H2 ? ErrorKind.CONNECTION_LOST : ErrorKind.OUTCOME_UNKNOWN;
      default:
        return ErrorKind.OUTCOME_UNKNOWN;
    }
  }
}
