package io.github.idem;

import io.github.idem.dialect.IdemException;

/**
 * A stored result could not be decoded by the operation's codec, typically after the codec changed.
 * The operation is not re-run. Immutable.
 *
 * <pre>{@code
 * try {
 *   operation.execute(key, request, body);
 * } catch (ResultDecodingException e) {
 *   log.warn(e.getMessage());
 * }
 * }</pre>
 */
public final class ResultDecodingException extends IdemException {
  private static final long serialVersionUID = 1L;

  ResultDecodingException(String message) {
    super(message);
  }

  ResultDecodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
