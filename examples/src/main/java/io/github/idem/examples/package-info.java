/**
 * Runnable programs that show Idem under realistic pressure. {@link io.github.idem.examples.Main}
 * is the entry point; {@code drill} runs a payments service under a hostile network (retries, lost
 * replies, concurrent duplicates, reused keys) on H2, embedded PostgreSQL or MariaDB, or a database
 * given by JDBC URL, and counts the charges afterwards (optionally through a simulated card gateway
 * under lease mode, with injected faults, a killed worker process and declined cards); {@code
 * upsert-drill} replays a stream of redelivered events against embedded H2 and checks the end
 * state.
 */
@NullMarked
package io.github.idem.examples;

import org.jspecify.annotations.NullMarked;
