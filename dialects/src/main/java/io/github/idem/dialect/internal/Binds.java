package io.github.idem.dialect.internal;

import io.github.idem.dialect.WriteSpec;
import java.util.List;

/** Bind-position arithmetic shared by the renderers. */
final class Binds {
  private Binds() {}

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
}
