package io.github.idem.dialect;

/**
 * The statements on one key record beyond the claim: the fenced updates of lease mode, recorded
 * failures, and the reads of key administration. Every update names the attempt, the status and the
 * {@code created_at} it expects ({@link OperationsStatement.Param#ATTEMPT}, {@link
 * OperationsStatement.Param#EXPECTED_STATUS}, {@link OperationsStatement.Param#CREATED_AT}), so a
 * holder whose lease was taken over, or whose record was purged and claimed anew, changes nothing:
 * the attempt number is the fencing token, and {@code created_at} names the record. Times come from
 * the database clock. Immutable.
 *
 * <pre>{@code
 * KeyRecordSql records = dialect.operations("idem_operations").records();
 * String heartbeat = records.extend().sql();
 * }</pre>
 *
 * @param inspect one key's {@code status, fingerprint, result, attempt, lease_until, created_at,
 *     expires_at} and the database's current time, as a plain read
 * @param lockedRead the same columns, read so that the row stays locked until the transaction ends
 *     and a transaction in REPEATABLE READ sees the latest committed row
 * @param extend sets {@code lease_until} to now plus {@link OperationsStatement.Param#LEASE_MILLIS}
 *     (a heartbeat, or 0 to let the next caller take over at once), and {@code expires_at} to now
 *     plus {@link OperationsStatement.Param#RETENTION_MILLIS}, so that a purge never removes a
 *     record whose lease is live (the caller binds at least the lease); a matched row always
 *     changes (a lease end equal to the stored one moves by a millisecond), so that drivers
 *     counting changed rows report 1
 * @param takeover increments {@code attempt}, sets status, lease, expiry (as {@code extend}) and
 *     result: the next attempt takes the key over
 * @param rerun starts a new run of a key whose terminal failure is recorded: the next attempt,
 *     RUNNING, a new lease, no result, and a new {@code created_at} (later than the old one), so
 *     the new run gets a new downstream token and the failed run's holder is fenced out
 * @param checkpoint stores a leased record's recovery points and extends its lease and expiry
 * @param finish stores the final status and result, ends the lease and restarts the retention
 * @param release lets the next caller take a leased key over at once, fencing out its holder: the
 *     attempt increments and the lease ends now
 * @param deleteStuck deletes a RUNNING record without a lease (its claiming transaction committed
 *     before the operation finished, through SQL Idem cannot see)
 * @param expired {@code op_key, status, fingerprint, result, attempt, lease_until, created_at,
 *     expires_at} and the current time of a scope's RUNNING records whose lease has passed, oldest
 *     lease first
 */
public record KeyRecordSql(
    OperationsStatement inspect,
    OperationsStatement lockedRead,
    OperationsStatement extend,
    OperationsStatement takeover,
    OperationsStatement rerun,
    OperationsStatement checkpoint,
    OperationsStatement finish,
    OperationsStatement release,
    OperationsStatement deleteStuck,
    OperationsStatement expired) {}
