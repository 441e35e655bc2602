/**
 * Runnable programs that show Idem under realistic pressure. {@link io.github.idem.examples.Main}
 * is the entry point; {@code drill} replays a stream of redelivered events against an embedded
 * database and checks the end state.
 */
@NullMarked
package io.github.idem.examples;

import org.jspecify.annotations.NullMarked;
