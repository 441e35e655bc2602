package io.github.idem.dialect;

import io.github.idem.api.InvalidConfigurationException;

/**
 * One way an existing processed-operations table differs from what Idem relies on: a column whose
 * type, length, nullability or comparison would let two different scopes or keys be one (a
 * case-insensitive or trailing-space-insensitive collation), truncate or refuse a value Idem
 * writes, or read back something else than was written. Found by {@link
 * Dialect#checkOperationsTable}. Carries column names and catalog types only, never a stored value.
 * Immutable.
 *
 * <pre>{@code
 * OperationsTableProblem problem = new OperationsTableProblem(
 *     "op_key", "compares case-insensitively (collation utf8mb4_general_ci)",
 *     "ALTER TABLE `idem_operations` MODIFY `op_key` VARBINARY(1020) NOT NULL");
 * }</pre>
 *
 * @param column the column, as the catalog stores its name
 * @param problem what is wrong with it
 * @param fix the DDL, for this engine, that makes the column what Idem needs
 */
public record OperationsTableProblem(String column, String problem, String fix) {
  /**
   * Rejects blank parts.
   *
   * @param column see the record component
   * @param problem see the record component
   * @param fix see the record component
   * @throws InvalidConfigurationException when a part is null or blank
   */
  public OperationsTableProblem {
    if (column == null || column.isBlank()) {
      throw new InvalidConfigurationException("column is null or blank; name the column");
    }
    if (problem == null || problem.isBlank()) {
      throw new InvalidConfigurationException("problem is null or blank; say what is wrong");
    }
    if (fix == null || fix.isBlank()) {
      throw new InvalidConfigurationException("fix is null or blank; give the DDL that fixes it");
    }
  }
}
