/**
 * Idem: database writes that are safe to replay. Create one {@link io.github.idem.Idem} per {@link
 * javax.sql.DataSource}; build statements once; execute them many times.
 *
 * <pre>{@code
 * Idem idem = Idem.create(dataSource);
 * WriteStatement upsert = idem.upsert("payments")
 *     .columns("id", "amount", "version")
 *     .conflictKey("id")
 *     .newerWins("version")
 *     .build();
 * Outcome outcome = upsert.execute(42L, 1999, 3);
 * }</pre>
 */
@NullMarked
package io.github.idem;

import org.jspecify.annotations.NullMarked;
