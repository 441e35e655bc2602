/**
 * What every user of Idem catches or compares: the per-row {@link io.github.idem.api.Outcome}, the
 * {@link io.github.idem.api.ErrorKind} of a database failure, and every exception Idem throws,
 * under the abstract root {@link io.github.idem.api.IdemException} in four families (usage,
 * conflict, setup, database). Nothing here depends on the rest of Idem.
 *
 * <pre>{@code
 * try {
 *   Outcome outcome = upsert.execute(42L, 1999, 3);
 * } catch (IdemConflictException e) {
 *   return conflict(e.getMessage());
 * }
 * }</pre>
 */
@NullMarked
package io.github.idem.api;

import org.jspecify.annotations.NullMarked;
