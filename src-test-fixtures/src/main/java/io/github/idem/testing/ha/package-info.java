/**
 * Replicated database servers for high-availability tests, started from the machine's own server
 * binaries in a temporary directory.
 */
@NullMarked
package io.github.idem.testing.ha;

import org.jspecify.annotations.NullMarked;
