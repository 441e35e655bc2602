package io.github.idem.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.idem.api.InvalidStatementException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Structural validation of statement descriptions, before any dialect sees them. */
class WriteSpecTest {

  @Test
  void shouldUpdateEveryNonKeyColumnByDefaultAndTheGuardLast() {
    WriteSpec spec =
        WriteSpec.upsert(
            "t", List.of("id", "version", "a", "b"), List.of("id"), List.of(), "version");
    assertThat(spec.updateColumns()).containsExactly("a", "b", "version");
  }

  @Test
  void shouldAddTheGuardToAnExplicitUpdateSet() {
    WriteSpec spec =
        WriteSpec.upsert("t", List.of("id", "a", "b", "v"), List.of("id"), List.of("v", "a"), "v");
    assertThat(spec.updateColumns()).containsExactly("a", "v");
  }

  @Test
  void shouldRefuseInconsistentDescriptions() {
    assertThatThrownBy(() -> WriteSpec.upsert("t", List.of("id"), List.of(), List.of(), null))
        .isInstanceOf(InvalidStatementException.class)
        .hasMessage("upsert into t: no conflict key; name the primary key or unique key columns");
    assertThatThrownBy(
            () -> WriteSpec.upsert("t", List.of("id", "id"), List.of("id"), List.of(), null))
        .hasMessage("upsert into t: columns name 'id' twice; name each column once");
    assertThatThrownBy(
            () -> WriteSpec.upsert("t", List.of("id", "a"), List.of("id"), List.of("id"), null))
        .hasMessageContaining("update column 'id' is part of the conflict key [id]");
    assertThatThrownBy(
            () -> WriteSpec.upsert("t", List.of("id", "a"), List.of("id"), List.of("b"), null))
        .hasMessageContaining("update column 'b' is not among the columns [id, a]");
    assertThatThrownBy(
            () -> WriteSpec.upsert("t", List.of("id", "a"), List.of("id"), List.of(), "id"))
        .hasMessageContaining("version column 'id' is part of the conflict key");
    assertThatThrownBy(
            () -> WriteSpec.upsert("t", List.of("id", "a"), List.of("id"), List.of(), " "))
        .hasMessageContaining("version column is blank");
    assertThatThrownBy(() -> WriteSpec.insertIfAbsent("t", null, List.of("id")))
        .hasMessage("insert-if-absent into t: columns list is null; pass a list of names");
    assertThatThrownBy(
            () -> WriteSpec.insertIfAbsent("t", Arrays.asList("id", null), List.of("id")))
        .hasMessageContaining("contain a null or blank name");
    assertThatThrownBy(() -> WriteSpec.insertIfAbsent(" ", List.of("id"), List.of("id")))
        .hasMessageContaining("table name is null or blank");
    assertThatThrownBy(
            () ->
                new WriteSpec(
                    WriteSpec.Kind.INSERT_IF_ABSENT,
                    "t",
                    List.of("id", "a"),
                    List.of("id"),
                    List.of("a"),
                    null))
        .hasMessageContaining("insert-if-absent updates nothing");
  }

  @Test
  void shouldCopyItsLists() {
    List<String> columns = new java.util.ArrayList<>(List.of("id", "a"));
    WriteSpec spec = WriteSpec.insertIfAbsent("t", columns, List.of("id"));
    columns.add("b");
    assertThat(spec.columns()).containsExactly("id", "a");
    assertThatThrownBy(() -> spec.columns().add("c"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
