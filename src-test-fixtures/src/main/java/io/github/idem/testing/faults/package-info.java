/**
 * Fault injection for tests of code that must survive a lost connection: {@link
 * io.github.idem.testing.faults.FaultyDataSource} wraps a {@code DataSource} and fires one {@link
 * io.github.idem.testing.faults.Fault} at an exact JDBC call (a claim, the body, a commit, the
 * first call after a commit); {@link io.github.idem.testing.faults.LoopbackProxy} sits between the
 * driver and a PostgreSQL or MariaDB server and drops one request or one reply on the wire.
 *
 * <pre>{@code
 * FaultyDataSource faulty = FaultyDataSource.wrap(db.dataSource());
 * faulty.arm(Fault.during(Point.commit(), Action.loseConnection()));
 * // the commit reaches the database and commits; the caller gets SQLSTATE 08006
 * }</pre>
 */
@NullMarked
package io.github.idem.testing.faults;

import org.jspecify.annotations.NullMarked;
