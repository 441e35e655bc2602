package io.github.idem.examples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Canonical JSON in the style of RFC 8785 (JCS), the request fingerprint source of the HTTP
 * payments service: object members sorted by key (UTF-16 code units, as {@link String#compareTo}),
 * no whitespace, strings escaped as Jackson writes them (UTF-8). Two bodies that differ only in
 * member order or whitespace therefore give the same bytes, and so the same SHA-256 fingerprint.
 *
 * <p>Numbers deviate from RFC 8785's ECMAScript form in one documented way: an integer (or a
 * decimal whose value is a whole number, such as {@code 1.0} or {@code 1e2}) is written as a plain
 * integer; any other number as the plain decimal of its exact value with trailing zeros stripped
 * ({@code 1.50} → {@code 1.5}; parse with {@code USE_BIG_DECIMAL_FOR_FLOATS} so decimals stay
 * exact). The service accepts integers only for amounts, so this never matters there. Stateless and
 * thread-safe.
 */
final class CanonicalJson {
  // Without this Jackson writes a character outside the BMP as an escaped surrogate pair instead
  // of its 4-byte UTF-8 form, which RFC 8785 requires.
  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

  /** The largest power of ten written out as plain digits. */
  private static final int MAX_EXPONENT = 1000;

  private CanonicalJson() {}

  /** The canonical UTF-8 bytes of {@code node}. */
  static byte[] bytes(JsonNode node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(generator, node);
    } catch (IOException e) {
      // an in-memory stream does not fail
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator generator, JsonNode node) throws IOException {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      names.sort(null);
      generator.writeStartObject();
      for (String name : names) {
        generator.writeFieldName(name);
        write(generator, node.get(name));
      }
      generator.writeEndObject();
    } else if (node.isArray()) {
      generator.writeStartArray();
      for (JsonNode element : node) {
        write(generator, element);
      }
      generator.writeEndArray();
    } else if (node.isNumber()) {
      BigDecimal value = node.decimalValue().stripTrailingZeros();
      if (value.scale() > 0) {
        generator.writeNumber(value.toPlainString());
      } else if (-value.scale() <= MAX_EXPONENT) {
        generator.writeNumber(value.toBigIntegerExact());
      } else {
        // 1e999999999 would expand to a billion digits; keep such a number in exponent form
        generator.writeNumber(value.toString());
      }
    } else if (node.isTextual()) {
      generator.writeString(node.textValue());
    } else if (node.isBoolean()) {
      generator.writeBoolean(node.booleanValue());
    } else {
      generator.writeNull();
    }
  }
}
