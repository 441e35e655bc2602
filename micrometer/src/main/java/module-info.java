/**
 * Idem's events as Micrometer meters. Start at {@link
 * io.github.idem.micrometer.MicrometerListener}.
 */
module io.github.idem.micrometer {
  requires transitive io.github.idem.toolkit;
  requires transitive micrometer.core;
  requires static org.jspecify;

  exports io.github.idem.micrometer;
}
