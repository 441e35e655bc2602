package io.github.idem.dialect;

import java.util.Optional;

/**
 * Adds a third-party dialect. Providers found by {@link java.util.ServiceLoader} are asked before
 * the built-ins; a dialect passed explicitly to Idem is never replaced. Implementations must be
 * thread-safe.
 *
 * <pre>{@code
 * public final class MyDbProvider implements DialectProvider {
 *   public Optional<Dialect> detect(ProductInfo product) {
 *     return product.name().equals("MyDB") ? Optional.of(new MyDbDialect()) : Optional.empty();
 *   }
 * }
 * }</pre>
 */
public interface DialectProvider {
  /**
   * Returns a dialect when this provider recognises the product.
   *
   * @param product what the connection reported
   * @return the dialect, or empty
   */
  Optional<Dialect> detect(ProductInfo product);
}
