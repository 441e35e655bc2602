package io.github.idem.dialect;

/**
 * The statements on one key record beyond the claim: the fenced updates of lease mode, recorded
 * failures, and the reads of key administration. Every update names the attempt it expects ({@link
 * OperationsStatement.Param#ATTEMPT}) and the status it expects, so a holder whose lease was taken
 * over changes nothing: the attempt number is the fencing token. Times come from the database
 * clock. Immutable.
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
    OperationsStatement checkpoint,
    OperationsStatement finish,
    OperationsStatement release,
    OperationsStatement deleteStuck,
    OperationsStatement expired) {}
