/**
 * What each database knows: identifier rules, the SQL shapes of upsert and insert-if-absent, and
 * the classification of {@link java.sql.SQLException}s. This package holds no policy; the toolkit
 * decides what to do with a rendered plan or a classified error.
 *
 * <p>Pick a dialect from connection metadata, or name one explicitly:
 *
 * <pre>{@code
 * Dialect dialect = Dialects.detect(connection);
 * Dialect pinned = Dialects.of(DatabaseFamily.POSTGRESQL, DatabaseVersion.of(16, 4));
 * }</pre>
 */
@NullMarked
package io.github.idem.dialect;

import org.jspecify.annotations.NullMarked;
