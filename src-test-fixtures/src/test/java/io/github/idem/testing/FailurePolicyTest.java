package io.github.idem.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class FailurePolicyTest {

  @Test
  void shouldSkipWithOneLineOutsideCi() {
    RuntimeException cause =
        new IllegalStateException(
            "embedded PostgreSQL did not start: boom\nsecond line",
            new ConnectException("refused"));

    RuntimeException skip = TestDatabases.unavailable(Engine.POSTGRESQL, cause, false, false);

    assertThat(skip).isInstanceOf(TestAbortedException.class).hasCause(cause);
    assertThat(skip.getMessage())
        .isEqualTo(
            "postgresql unavailable: embedded PostgreSQL did not start: boom second line"
                + " (caused by java.net.ConnectException: refused);"
                + " set IDEM_TEST_POSTGRES_URL to use an external server");
  }

  @Test
  void shouldFailOnCiNamingTheEngine() {
    RuntimeException failure =
        TestDatabases.unavailable(
            Engine.MYSQL_DRIVER, new IllegalStateException("cannot connect"), true, false);

    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .isNotInstanceOf(TestAbortedException.class)
        .hasMessage(
            "mysql-driver unavailable: cannot connect; set IDEM_TEST_MARIADB_URL to use an"
                + " external server");
  }

  @Test
  void shouldGiveNoServerHintForInProcessEngines() {
    RuntimeException skip =
        TestDatabases.unavailable(
            Engine.SQLITE, new UnsatisfiedLinkErrorLike("no native"), false, false);

    assertThat(skip.getMessage())
        .isEqualTo(
            "sqlite unavailable: " + UnsatisfiedLinkErrorLike.class.getName() + ": no native");
  }

  @Test
  void shouldPointAtTheConfiguredServerWhenAnExternalUrlIsSet() {
    RuntimeException skip =
        TestDatabases.unavailable(
            Engine.MARIADB, new IllegalStateException("cannot connect"), false, true);

    assertThat(skip.getMessage())
        .isEqualTo(
            "mariadb unavailable: cannot connect; check the server IDEM_TEST_MARIADB_URL points to");
  }

  /** A stand-in for a native-library failure (a bare exception type, so its name is shown). */
  static final class UnsatisfiedLinkErrorLike extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnsatisfiedLinkErrorLike(String message) {
      super(message);
    }
  }
}
