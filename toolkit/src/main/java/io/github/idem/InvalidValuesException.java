package io.github.idem;

import io.github.idem.dialect.IdemException;

/**
 * The values passed to a statement do not fit it: a null row, or a row whose value count differs
 * from the statement's column count. Raised before anything is sent. Immutable.
 *
 * <pre>{@code
 * upsert.execute(42L); // upsert into payments: row 0 has 1 value, expected 3 (id, amount, version)
 * }</pre>
 */
public final class InvalidValuesException extends IdemException {
  private static final long serialVersionUID = 1L;

  InvalidValuesException(String message) {
    super(message);
  }
}
