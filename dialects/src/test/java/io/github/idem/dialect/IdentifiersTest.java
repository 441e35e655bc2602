package io.github.idem.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.api.InvalidIdentifierException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Identifier validation, folding, quoting and length limits per engine. */
class IdentifiersTest {

  @Test
  void shouldFoldPlainNamesLikeTheEngineDoesAndQuoteThem() {
    assertThat(Identifiers.postgres().quote("Payments")).isEqualTo("\"payments\"");
    assertThat(Identifiers.h2().quote("payments")).isEqualTo("\"PAYMENTS\"");
    assertThat(Identifiers.mysql().quote("Payments")).isEqualTo("`Payments`");
    assertThat(Identifiers.sqlite().quote("order")).isEqualTo("\"order\"");
  }

  @Test
  void shouldKeepExactNamesVerbatim() {
    assertThat(Identifiers.postgres().quote("\"Payments\"")).isEqualTo("\"Payments\"");
    assertThat(Identifiers.h2().quote("\"payments\"")).isEqualTo("\"payments\"");
    assertThat(Identifiers.mysql().quote("\"Payments\"")).isEqualTo("`Payments`");
  }

  @Test
  void shouldSplitQualifiedTableNames() {
    assertThat(Identifiers.postgres().quoteTable("billing.Payments"))
        .isEqualTo("\"billing\".\"payments\"");
    assertThat(Identifiers.postgres().normalizeTable("\"Billing\".payments"))
        .isEqualTo(List.of("Billing", "payments"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "x; drop table y",
        "x\"; drop table y; --",
        "x`; drop table y; --",
        "a b",
        "1abc",
        "tab\tle",
        "caf\u00e9",
        "x'",
        "\"\"",
        "\"unterminated",
        "a.b.c",
        "-- comment"
      })
  void shouldRefuseHostileOrMalformedNames(String name) {
    for (Identifiers rules :
        List.of(
            Identifiers.postgres(), Identifiers.mysql(), Identifiers.h2(), Identifiers.sqlite())) {
      assertThatThrownBy(() -> rules.quoteTable(name))
          .isInstanceOf(InvalidIdentifierException.class)
          .hasMessageContaining("is not allowed");
    }
  }

  @Test
  void shouldRefuseNullAndEmptyNames() {
    assertThatThrownBy(() -> Identifiers.postgres().quote(null))
        .isInstanceOf(InvalidIdentifierException.class)
        .hasMessage("identifier is null or empty; pass a table or column name");
    assertThatThrownBy(() -> Identifiers.postgres().quote(""))
        .isInstanceOf(InvalidIdentifierException.class);
  }

  @Test
  void shouldEnforceEachEnginesLengthLimitInsteadOfLettingItTruncate() {
    assertThat(Identifiers.postgres().quote("a".repeat(63))).hasSize(65);
    assertThatThrownBy(() -> Identifiers.postgres().quote("a".repeat(64)))
        .isInstanceOf(InvalidIdentifierException.class)
        .hasMessageContaining("is 64 bytes long; this engine keeps at most 63");
    assertThat(Identifiers.mysql().quote("a".repeat(64))).hasSize(66);
    assertThatThrownBy(() -> Identifiers.mysql().quote("a".repeat(65)))
        .isInstanceOf(InvalidIdentifierException.class)
        .hasMessageContaining("at most 64");
    assertThatThrownBy(() -> Identifiers.h2().quote("a".repeat(257)))
        .isInstanceOf(InvalidIdentifierException.class);
  }

  @Test
  void shouldShowControlCharactersEscapedInMessages() {
    assertThatThrownBy(() -> Identifiers.postgres().quote("a\u0000b"))
        .hasMessageContaining("a\\u0000b");
  }
}
