package io.github.idem.internal;

import io.github.idem.api.InvalidKeyException;
import io.github.idem.dialect.OperationsTableSchema;
import org.jspecify.annotations.Nullable;

/** Validation of scopes, operation keys and message ids. */
public final class Keys {
  private Keys() {}

  /**
   * Returns a valid operation scope unchanged, or throws {@link InvalidKeyException}. A scope may
   * not start with {@link OperationsTableSchema#CONSUMER_SCOPE_PREFIX}: consumers' records live
   * there, and an operation scope spelled like one would share their keys.
   */
  public static String scope(@Nullable String scope) {
    String checked = check("scope", scope, OperationsTableSchema.MAX_SCOPE_LENGTH, null);
    if (checked.startsWith(OperationsTableSchema.CONSUMER_SCOPE_PREFIX)) {
      throw new InvalidKeyException(
          "scope '"
              + checked
              + "' starts with '"
              + OperationsTableSchema.CONSUMER_SCOPE_PREFIX
              + "', which Idem reserves for the records of idem.consumer(..); choose another"
              + " scope");
    }
    return checked;
  }

  /**
   * Returns a valid consumer name unchanged, or throws {@link InvalidKeyException}. The name is
   * stored behind {@link OperationsTableSchema#CONSUMER_SCOPE_PREFIX}, so it is shorter than a
   * scope.
   */
  public static String consumer(@Nullable String name) {
    return check("consumer name", name, OperationsTableSchema.MAX_CONSUMER_NAME_LENGTH, null);
  }

  /** Returns a valid key of a scope unchanged, or throws {@link InvalidKeyException}. */
  public static String key(String scope, @Nullable String key) {
    return check("key", key, OperationsTableSchema.MAX_KEY_LENGTH, scope);
  }

  /**
   * Refuses what a database would truncate, mangle or reject halfway: keys are compared byte for
   * byte and must survive every engine's text type unchanged.
   */
  private static String check(
      String what, @Nullable String value, int max, @Nullable String scope) {
    String subject = scope == null ? what : "scope '" + scope + "': " + what;
    if (value == null) {
      throw new InvalidKeyException(subject + " is null; pass a non-empty " + what);
    }
    if (value.isEmpty()) {
      throw new InvalidKeyException(subject + " is empty; pass a non-empty " + what);
    }
    if (value.isBlank()) {
      // Trimming drivers, PAD SPACE comparisons and form fields all turn blanks into "": a blank
      // key is almost always a missing one.
      throw new InvalidKeyException(
          subject + " is only whitespace; pass a " + what + " with a visible character");
    }
    int length = value.codePointCount(0, value.length());
    if (length > max) {
      throw new InvalidKeyException(
          subject
              + " is "
              + length
              + " characters long, longer than "
              + max
              + (scope == null
                  ? "; use a shorter " + what
                  : "; hash long keys (e.g. SHA-256 hex) instead of truncating them"));
    }
    for (int i = 0; i < value.length(); ) {
      int cp = value.codePointAt(i);
      if (Character.isISOControl(cp)) {
        throw new InvalidKeyException(
            subject
                + " contains control character U+"
                + String.format("%04X", cp)
                + " at index "
                + i
                + "; use printable characters");
      }
      if (cp <= Character.MAX_VALUE && Character.isSurrogate((char) cp)) {
        throw new InvalidKeyException(
            subject + " contains an unpaired surrogate at index " + i + "; pass valid Unicode");
      }
      i += Character.charCount(cp);
    }
    return value;
  }
}
