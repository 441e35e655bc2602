package io.github.idem.dialect;

import org.jspecify.annotations.Nullable;

/**
 * The SQL of a guarded operation whose whole work is one INSERT, rendered once by {@link
 * Dialect#guardedInsert}. Immutable.
 *
 * <pre>{@code
 * GuardedInsertSql sql = dialect.guardedInsert("idem_operations", "charges", List.of("id"));
 * }</pre>
 *
 * @param insert the plain INSERT of the business row, binding one value per column in order; run
 *     after a separate claim
 * @param claimAndInsert one statement that claims the key as completed and inserts the row only
 *     when the claim is new, or null when the engine needs the claim and the INSERT apart. It
 *     returns one row: the number of keys claimed (0 or 1), then {@code fingerprint}, {@code
 *     status} and {@code result} of an unexpired record committed before the statement began (or
 *     NULLs)
 */
public record GuardedInsertSql(String insert, @Nullable OperationsStatement claimAndInsert) {}
