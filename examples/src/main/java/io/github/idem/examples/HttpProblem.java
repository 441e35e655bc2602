package io.github.idem.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP error answer of the payments service, sent as an RFC 9457 {@code
 * application/problem+json} body: {@code type}, {@code title}, {@code status}, {@code detail} and
 * optional extension members. The detail never carries the idempotency key, the caller id or the
 * request body. Immutable.
 */
final class HttpProblem extends Exception {
  private static final long serialVersionUID = 1L;

  /** The base of the {@code type} URIs; they identify problems, nothing is served there. */
  static final String TYPE_BASE = "https://idem.example/problems/";

  private final int status;
  private final String type;
  private final String title;
  private final Map<String, String> headers;
  private final Map<String, String> extensions;

  HttpProblem(int status, String type, String title, String detail) {
    this(status, type, title, detail, Map.of(), Map.of());
  }

  HttpProblem(
      int status,
      String type,
      String title,
      String detail,
      Map<String, String> headers,
      Map<String, String> extensions) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
    this.headers = Map.copyOf(headers);
    this.extensions = Map.copyOf(extensions);
  }

  int status() {
    return status;
  }

  /** Extra response headers, such as {@code Retry-After} or {@code WWW-Authenticate}. */
  Map<String, String> headers() {
    return headers;
  }

  /** The problem+json body; the same problem always gives the same bytes. */
  byte[] body(ObjectMapper json) {
    ObjectNode body = json.createObjectNode();
    body.put("type", TYPE_BASE + type);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", getMessage());
    extensions.keySet().stream().sorted().forEach(name -> body.put(name, extensions.get(name)));
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }
}
