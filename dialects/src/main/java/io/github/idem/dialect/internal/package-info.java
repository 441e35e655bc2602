/**
 * Not API: the built-in dialects and the rendering and classification they share. Public only so
 * that {@link io.github.idem.dialect.Dialects} can reach them; the module does not export this
 * package, and anything here may change in any release. Pin a built-in dialect with {@link
 * io.github.idem.dialect.Dialects#of(io.github.idem.dialect.DatabaseFamily,
 * io.github.idem.dialect.DatabaseVersion)}.
 */
@NullMarked
package io.github.idem.dialect.internal;

import org.jspecify.annotations.NullMarked;
