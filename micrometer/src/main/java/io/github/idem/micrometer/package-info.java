/**
 * Micrometer meters for Idem: register one {@link io.github.idem.micrometer.MicrometerListener} per
 * {@link io.github.idem.Idem} root.
 *
 * <pre>{@code
 * Idem idem = Idem.builder(dataSource)
 *     .addListener(new MicrometerListener(meterRegistry))
 *     .build();
 * }</pre>
 */
@NullMarked
package io.github.idem.micrometer;

import org.jspecify.annotations.NullMarked;
