package io.github.idem.faults;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A pool-less {@link DataSource}: every {@link #getConnection()} opens a new driver connection, so
 * a process started with only a JDBC URL needs no pool library and no background threads.
 */
final class DriverManagerDataSource implements DataSource {
  private final String url;
  private final UnaryOperator<Connection> decorator;

  DriverManagerDataSource(String url) {
    this(url, UnaryOperator.identity());
  }

  /**
   * @param decorator wraps each new connection, e.g. to stop the process right after a commit
   */
  DriverManagerDataSource(String url, UnaryOperator<Connection> decorator) {
    this.url = url;
    this.decorator = decorator;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return decorator.apply(DriverManager.getConnection(url));
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return decorator.apply(DriverManager.getConnection(url, username, password));
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // no logging: nothing to redirect
  }

  @Override
  public void setLoginTimeout(int seconds) {
    DriverManager.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() {
    return DriverManager.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no java.util.logging here");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new SQLException("not a wrapper for " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return type.isInstance(this);
  }
}
