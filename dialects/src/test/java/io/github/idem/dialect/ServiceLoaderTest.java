package io.github.idem.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.dialect.internal.H2Dialect;
import io.github.idem.dialect.internal.SqliteDialect;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A third-party provider adds an engine without replacing a built-in. */
class ServiceLoaderTest {

  /** Registered in META-INF/services of the test classpath. */
  public static final class ExtraProvider implements DialectProvider {
    @Override
    public Optional<Dialect> detect(ProductInfo product) {
      return product.name().equals("ExtraDB")
          ? Optional.of(new SqliteDialect(DatabaseVersion.of(3, 50)))
          : Optional.empty();
    }
  }

  @Test
  void shouldAddAThirdPartyEngine() {
    assertThat(Dialects.detect(new ProductInfo("ExtraDB", "1.0", null)))
        .isInstanceOf(SqliteDialect.class);
  }

  @Test
  void shouldStillDetectBuiltInsWhenAProviderDeclines() {
    assertThat(Dialects.detect(new ProductInfo("H2", "2.3.232", null)))
        .isInstanceOf(H2Dialect.class);
  }
}
