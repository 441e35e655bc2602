package io.github.idem.testing;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A value computed once on first use; thread-safe. A failure is remembered too, so a server that
 * could not start is not started again by every later test (it fails or skips at once).
 */
final class Lazy<T> {
  private final Supplier<T> supplier;
  private @Nullable T value;
  private @Nullable RuntimeException failure;

  Lazy(Supplier<T> supplier) {
    this.supplier = supplier;
  }

  synchronized T get() {
    if (value != null) {
      return value;
    }
    if (failure != null) {
      throw failure;
    }
    try {
      T computed = supplier.get();
      value = computed;
      return computed;
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    } catch (LinkageError e) {
      // e.g. a native library (sqlite, a server binary's loader) that cannot load
      RuntimeException wrapped = new IllegalStateException(e.toString(), e);
      failure = wrapped;
      throw wrapped;
    }
  }

  /** The value if it was computed successfully, without computing it. */
  synchronized @Nullable T peek() {
    return value;
  }
}
