/**
 * Not API: the machinery behind {@link io.github.idem.Idem}, public only so that Idem's own
 * packages can reach it. Nothing here is exported by the module, and anything may change in any
 * release. Nothing here depends on the facade package.
 */
@NullMarked
package io.github.idem.internal;

import org.jspecify.annotations.NullMarked;
