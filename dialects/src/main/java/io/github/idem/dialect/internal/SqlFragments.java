package io.github.idem.dialect.internal;

import io.github.idem.dialect.WriteSpec;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/** Static fragments shared by the dialects; a superclass so the families call them unqualified. */
abstract class SqlFragments {
  SqlFragments() {}

  static String placeholders(int count) {
    StringJoiner joiner = new StringJoiner(", ");
    for (int i = 0; i < count; i++) {
      joiner.add("?");
    }
    return joiner.toString();
  }

  static int[] positions(WriteSpec spec, List<String> columns) {
    int[] out = new int[columns.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = spec.indexOf(columns.get(i));
    }
    return out;
  }

  static int[] concat(int[]... parts) {
    int length = 0;
    for (int[] part : parts) {
      length += part.length;
    }
    int[] out = new int[length];
    int at = 0;
    for (int[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  static int[] allColumns(WriteSpec spec) {
    int[] out = new int[spec.columns().size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = i;
    }
    return out;
  }

  /** Bind positions of an INSERT: every column, except those whose template binds nothing. */
  static int[] insertBind(WriteSpec spec, String @Nullable [] values) {
    if (values == null) {
      return allColumns(spec);
    }
    int[] out = new int[spec.columns().size()];
    int n = 0;
    for (int i = 0; i < values.length; i++) {
      if (values[i].indexOf('?') >= 0) {
        out[n++] = i;
      }
    }
    return Arrays.copyOf(out, n);
  }
}
