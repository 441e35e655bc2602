/**
 * Idem for jOOQ: build Idem's statements and guarded inserts from generated or hand-declared {@link
 * org.jooq.Table}/{@link org.jooq.TableField} metadata, and run guarded operations inside a {@link
 * org.jooq.DSLContext} transaction. Start at {@link io.github.idem.jooq.IdemJooq}.
 *
 * <pre>{@code
 * JooqWriteStatement upsert =
 *     IdemJooq.upsert(idem, CUSTOMERS)
 *         .columns(CUSTOMERS.ID, CUSTOMERS.EMAIL, CUSTOMERS.NAME)
 *         .conflictKey(CUSTOMERS.ID)
 *         .build();
 * Outcome outcome = upsert.execute(1, "ada@example.com", "Ada");
 * }</pre>
 */
@NullMarked
package io.github.idem.jooq;

import org.jspecify.annotations.NullMarked;
