package io.github.idem;

import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.internal.AmbientConnections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** Finds the {@link AmbientTransactions} a root uses and binds it to the root's data source. */
final class AmbientDiscovery {
  private AmbientDiscovery() {}

  /**
   * Returns the one provider {@link ServiceLoader} finds, or {@link AmbientTransactions#none()}.
   * Two would each claim the thread's transactions, and picking one silently could pick the one
   * that does not know the application's transaction manager.
   */
  static AmbientTransactions discover() {
    List<AmbientTransactions> found = new ArrayList<>();
    for (AmbientTransactions provider : ServiceLoader.load(AmbientTransactions.class)) {
      found.add(provider);
    }
    if (found.size() > 1) {
      List<String> names = new ArrayList<>();
      for (AmbientTransactions provider : found) {
        names.add(provider.getClass().getName());
      }
      throw new InvalidConfigurationException(
          "several AmbientTransactions providers are registered (META-INF/services): "
              + names
              + "; choose one with Idem.builder(dataSource).ambientTransactions(provider), or"
              + " remove all but one from the class path");
    }
    return found.isEmpty() ? AmbientTransactions.none() : found.get(0);
  }

  /** Binds a provider to the data source Idem was built on. */
  static AmbientConnections.Source bind(AmbientTransactions provider, DataSource dataSource) {
    if (provider == AmbientTransactions.none()) {
      return AmbientConnections.NONE;
    }
    return new AmbientConnections.Source() {
      @Override
      public @Nullable Connection current() throws SQLException {
        return provider.currentConnection(dataSource);
      }

      @Override
      public void release(Connection connection) {
        provider.release(connection, dataSource);
      }

      @Override
      public String toString() {
        return provider.getClass().getName();
      }
    };
  }
}
