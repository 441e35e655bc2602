/** JMH benchmarks comparing Idem with hand-written SQL. Not part of the release. */
package io.github.idem.benchmarks;
