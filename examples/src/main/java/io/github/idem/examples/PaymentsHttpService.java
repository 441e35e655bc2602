package io.github.idem.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.idem.FailurePolicy;
import io.github.idem.Idem;
import io.github.idem.Lease;
import io.github.idem.LeasedOperation;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.api.IdemException;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.LeaseLostException;
import io.github.idem.api.OperationInProgressException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A small payments service over HTTP on the JDK's built-in server, storing payments through Idem in
 * lease mode. Thread-safe; {@link #start} once, {@link #close} once.
 *
 * <h2>Endpoints</h2>
 *
 * <ul>
 *   <li>{@code POST /payments} with a JSON body {@code {"amount": 1250, "currency": "EUR",
 *       "customer": "cus_1", "card": "tok_visa"}} ({@code card} optional; {@code
 *       tok_chargeDeclined} is a card the issuer declines) and an {@code Idempotency-Key} header:
 *       charges the card at the simulated {@link PaymentGateway} once per key and answers {@code
 *       201 Created} with the payment as JSON and its {@code Location}.
 *   <li>{@code GET /payments/{id}}: the caller's own payment, {@code 200}, or {@code 404} (also for
 *       another caller's payment). GET needs no key: reading is idempotent by nature.
 *   <li>PUT and DELETE are not offered ({@code 405} with {@code Allow}): payments are created once
 *       and never changed here. Both methods are idempotent by nature and would need no key.
 * </ul>
 *
 * <h2>Idempotency (draft-ietf-httpapi-idempotency-key-header-07, Stripe's behaviour)</h2>
 *
 * <ul>
 *   <li>Key: the draft's form, a Structured Field String ({@code Idempotency-Key:
 *       "8e03978e-40d5-43e8-bc93-6894a57f9324"}, RFC 8941 §3.3.3: printable ASCII, {@code \"} and
 *       {@code \\} escapes, no parameters), or the bare form Stripe's clients send (visible ASCII
 *       without quotes, backslashes or spaces). 1 to 255 characters after unquoting. Missing,
 *       repeated, malformed or oversized: {@code 400}, nothing stored.
 *   <li>Caller: {@code Authorization: Bearer <id>}, else {@code X-Client-Id: <id>}; an id is 1 to
 *       64 characters of {@code A-Z a-z 0-9 . _ ~ -}. Missing or malformed: {@code 401}. Keys are
 *       scoped per caller (Idem scope {@code "payments:" + id}), so one caller's key never returns
 *       another caller's payment. (A real service takes the caller from its authentication; this
 *       example trusts the header.)
 *   <li>Fingerprint: SHA-256 over the canonical JSON of the body ({@link CanonicalJson}: members
 *       sorted by key, no whitespace, RFC 8785 style), so a retry whose body differs only in member
 *       order or whitespace is the same request. Duplicate member names are rejected.
 *   <li>A body that fails validation gets {@code 400} before the key is used (as at Stripe: nothing
 *       is stored, so the corrected request may reuse the key); {@code 413} above 16 KiB.
 *   <li>Retry with the same key and an equivalent body: the first answer again, same status and
 *       body, plus {@code Idempotent-Replayed: true}. Same key, other body: {@code 422}. Same key
 *       while the first request still runs: {@code 409} with {@code Retry-After: 1}, at once.
 *   <li>A declined card is a terminal business failure ({@link FailurePolicy#REPLAY}): {@code 402}
 *       now, and the same {@code 402} replayed for every retry, never charged again.
 *   <li>Errors are RFC 9457 {@code application/problem+json}; no detail carries the key, the caller
 *       or the body. A lost gateway reply is {@code 502} and a database failure {@code 503}: both
 *       safe to retry with the same key (a retry takes the key's lease over once it ends).
 * </ul>
 */
final class PaymentsHttpService implements AutoCloseable {
  static final String PAYMENTS = "payments";

  /** Idem scope prefix; the caller id follows. */
  static final String SCOPE_PREFIX = "payments:";

  /** Header marking a replayed answer (the name Stripe uses). */
  static final String REPLAYED_HEADER = "Idempotent-Replayed";

  /** The checkpoint recorded with the payment row once the gateway charged. */
  static final String CHARGED_CHECKPOINT = "charged";

  /**
   * How long a request holds its key before a retry may take it over: far above a gateway call's
   * time, so that a retry never takes over a live request; a crashed holder's key is free after it.
   */
  static final Duration LEASE = Duration.ofSeconds(30);

  static final int MAX_BODY_BYTES = 16 * 1024;
  static final int MAX_KEY_LENGTH = 255;
  static final int THREADS = 16;

  private static final Pattern CALLER = Pattern.compile("[A-Za-z0-9._~-]{1,64}");
  private static final Pattern PAYMENT_ID = Pattern.compile("pay_[0-9a-f]{32}");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final Pattern TEXT = Pattern.compile("[\\x20-\\x7E]{1,100}");
  private static final Set<String> FIELDS = Set.of("amount", "currency", "customer", "card");
  private static final long MAX_AMOUNT = 99_999_999L;

  /** The card charge, {@link PaymentGateway#charge} in production; tests wrap it. */
  interface Gateway {
    String charge(String token, String paymentId, PaymentRequest request)
        throws CardDeclinedException, GatewayTimeoutException, SQLException;
  }

  private final DataSource dataSource;
  private final Idem idem;
  private final Gateway gateway;
  private final ObjectMapper json;
  private @Nullable HttpServer server;
  private @Nullable ExecutorService executor;

  /**
   * A service on {@code dataSource}; its tables must exist ({@link #createTables}).
   *
   * @param gateway charges cards, e.g. {@code new PaymentGateway(dataSource, idem, "http",
   *     0)::charge}
   */
  PaymentsHttpService(DataSource dataSource, Idem idem, Gateway gateway) {
    this.dataSource = dataSource;
    this.idem = idem;
    this.gateway = gateway;
    this.json =
        JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
  }

  /** The production gateway: the drill's simulated one, on the service's database. */
  static Gateway simulatedGateway(DataSource dataSource, Idem idem) {
    return new PaymentGateway(dataSource, idem, "http", 0)::charge;
  }

  /** Creates the payments, gateway and operations tables unless they exist. */
  static void createTables(DataSource dataSource, Idem idem) throws SQLException {
    PaymentGateway.createTables(dataSource);
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + PAYMENTS
              + " (id VARCHAR(36) NOT NULL PRIMARY KEY,"
              + " caller_id VARCHAR(64) NOT NULL,"
              + " amount BIGINT NOT NULL,"
              + " currency CHAR(3) NOT NULL,"
              + " customer VARCHAR(100) NOT NULL,"
              + " charge_id VARCHAR(36) NOT NULL,"
              + " body VARCHAR(2000) NOT NULL)");
    }
    idem.operationsTable().createIfMissing();
  }

  /**
   * Starts serving on {@code 127.0.0.1:port} ({@code 0}: a free port).
   *
   * @return the base URI, such as {@code http://127.0.0.1:8080}
   * @throws IOException when the port cannot be bound
   */
  synchronized URI start(int port) throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    HttpServer created = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    created.setExecutor(threads);
    created.createContext("/", this::handle);
    created.start();
    server = created;
    executor = threads;
    return URI.create("http://127.0.0.1:" + created.getAddress().getPort());
  }

  /** Stops accepting requests, lets running ones finish (up to a few seconds), then stops. */
  @Override
  public synchronized void close() {
    HttpServer running = server;
    ExecutorService threads = executor;
    server = null;
    executor = null;
    if (running != null) {
      running.stop(1);
    }
    if (threads != null) {
      threads.shutdown();
      try {
        if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
          threads.shutdownNow();
        }
      } catch (InterruptedException e) {
        threads.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (HttpProblem problem) {
        sendProblem(exchange, problem, false);
      } catch (RuntimeException e) {
        sendProblem(
            exchange,
            new HttpProblem(500, "internal", "Internal error", "the request failed unexpectedly"),
            false);
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException, HttpProblem {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    if (path.equals("/payments")) {
      if (!method.equals("POST")) {
        throw notAllowed("POST");
      }
      create(exchange);
    } else if (path.startsWith("/payments/") && path.indexOf('/', "/payments/".length()) < 0) {
      if (!method.equals("GET")) {
        throw notAllowed("GET");
      }
      read(exchange, path.substring("/payments/".length()));
    } else {
      throw new HttpProblem(404, "not-found", "Not found", "no such resource");
    }
  }

  private void create(HttpExchange exchange) throws IOException, HttpProblem {
    String caller = caller(exchange.getRequestHeaders());
    String key = idempotencyKey(exchange.getRequestHeaders());
    byte[] raw = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
    if (raw.length > MAX_BODY_BYTES) {
      throw new HttpProblem(
          413, "body-too-large", "Body too large", "the body exceeds " + MAX_BODY_BYTES + " bytes");
    }
    JsonNode body = parse(raw);
    PaymentRequest request = validate(body);
    byte[] canonical = CanonicalJson.bytes(body);
    LeasedOperation<String> operation =
        idem.operation(SCOPE_PREFIX + caller, ResultCodec.string())
            .terminalFailure(
                CardDeclinedException.class, CardDeclinedException.CODEC, FailurePolicy.REPLAY)
            .lease(LEASE)
            .build();
    OperationResult<String> result;
    try {
      result = operation.execute(key, canonical, lease -> charge(lease, caller, request));
    } catch (CardDeclinedException declined) {
      sendProblem(
          exchange,
          new HttpProblem(
              402,
              "card-declined",
              "Card declined",
              "the card issuer declined the payment; use another card with a new key",
              Map.of(),
              Map.of("code", declined.code())),
          declined.replayed());
      return;
    } catch (KeyReusedException e) {
      throw new HttpProblem(
          422,
          "idempotency-key-reused",
          "Idempotency key reused",
          "this key was used with a different request body; use a new key for a new request");
    } catch (OperationInProgressException | LeaseLostException e) {
      throw new HttpProblem(
          409,
          "request-in-progress",
          "Request in progress",
          "a request with this key is still being processed; retry later with the same key",
          Map.of("Retry-After", "1"),
          Map.of());
    } catch (GatewayTimeoutException e) {
      throw new HttpProblem(
          502,
          "gateway-timeout",
          "Gateway did not answer",
          "the card gateway did not answer; retry with the same key",
          Map.of("Retry-After", "1"),
          Map.of());
    } catch (InvalidKeyException e) {
      throw new HttpProblem(
          400, "idempotency-key-malformed", "Malformed idempotency key", "the key is not accepted");
    } catch (IdemSqlException | SQLException e) {
      throw unavailable();
    } catch (IdemException e) {
      throw new HttpProblem(500, "internal", "Internal error", "the payment failed unexpectedly");
    } catch (Exception e) {
      // the body throws nothing else
      throw new HttpProblem(500, "internal", "Internal error", "the payment failed unexpectedly");
    }
    String payment = result.value();
    if (payment == null) {
      throw new IllegalStateException("payment without a body");
    }
    Headers headers = exchange.getResponseHeaders();
    headers.set("Location", "/payments/" + json.readTree(payment).path("id").asText());
    if (result.replayed()) {
      headers.set(REPLAYED_HEADER, "true");
    }
    send(exchange, 201, "application/json", payment.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The lease body: returns the payment recorded by an earlier attempt of this key, or charges the
   * card with the lease's downstream token (the same for every attempt, so a takeover after a crash
   * gets the first charge back instead of a second) and records the payment row with the
   * checkpoint.
   */
  private String charge(Lease lease, String caller, PaymentRequest request)
      throws CardDeclinedException, GatewayTimeoutException, SQLException {
    Optional<byte[]> recorded = lease.checkpoint(CHARGED_CHECKPOINT);
    if (recorded.isPresent()) {
      return new String(recorded.get(), StandardCharsets.UTF_8);
    }
    String paymentId = "pay_" + UUID.randomUUID().toString().replace("-", "");
    String chargeId = gateway.charge(lease.downstreamToken(), paymentId, request);
    ObjectNode payment = json.createObjectNode();
    payment.put("id", paymentId);
    payment.put("object", "payment");
    payment.put("amount", request.amountCents());
    payment.put("currency", request.currency());
    payment.put("customer", request.customer());
    payment.put("status", "succeeded");
    payment.put("charge", chargeId);
    String body = payment.toString();
    lease.checkpoint(
        CHARGED_CHECKPOINT,
        body.getBytes(StandardCharsets.UTF_8),
        c -> insertPayment(c, paymentId, caller, request, chargeId, body));
    return body;
  }

  private static void insertPayment(
      Connection connection,
      String paymentId,
      String caller,
      PaymentRequest request,
      String chargeId,
      String body)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + PAYMENTS
                + " (id, caller_id, amount, currency, customer, charge_id, body)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, paymentId);
      insert.setString(2, caller);
      insert.setLong(3, request.amountCents());
      insert.setString(4, request.currency());
      insert.setString(5, request.customer());
      insert.setString(6, chargeId);
      insert.setString(7, body);
      insert.executeUpdate();
    }
  }

  private void read(HttpExchange exchange, String id) throws IOException, HttpProblem {
    String caller = caller(exchange.getRequestHeaders());
    HttpProblem notFound = new HttpProblem(404, "not-found", "Not found", "no such payment");
    if (!PAYMENT_ID.matcher(id).matches()) {
      throw notFound;
    }
    String body;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT body FROM " + PAYMENTS + " WHERE id = ? AND caller_id = ?")) {
      select.setString(1, id);
      select.setString(2, caller);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) {
          throw notFound;
        }
        body = rs.getString(1);
      }
    } catch (SQLException e) {
      throw unavailable();
    }
    send(exchange, 200, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  /** The caller id from {@code Authorization: Bearer} or else {@code X-Client-Id}. */
  static String caller(Headers headers) throws HttpProblem {
    String authorization = headers.getFirst("Authorization");
    String id;
    if (authorization != null) {
      String trimmed = authorization.strip();
      int space = trimmed.indexOf(' ');
      if (space < 0 || !trimmed.substring(0, space).equalsIgnoreCase("Bearer")) {
        throw unauthorized("Authorization must be 'Bearer <caller id>'");
      }
      id = trimmed.substring(space + 1).strip();
    } else {
      String client = headers.getFirst("X-Client-Id");
      if (client == null) {
        throw unauthorized(
            "send 'Authorization: Bearer <caller id>' or 'X-Client-Id: <caller id>'");
      }
      id = client.strip();
    }
    if (!CALLER.matcher(id).matches()) {
      throw unauthorized("a caller id is 1 to 64 characters of A-Z a-z 0-9 . _ ~ -");
    }
    return id;
  }

  /**
   * The {@code Idempotency-Key}: a Structured Field String (RFC 8941 §3.3.3, as the draft
   * specifies) or a bare key of visible ASCII (as Stripe's clients send), 1 to 255 characters.
   */
  static String idempotencyKey(Headers headers) throws HttpProblem {
    List<String> values = headers.get("Idempotency-Key");
    if (values == null || values.isEmpty()) {
      throw new HttpProblem(
          400,
          "idempotency-key-missing",
          "Idempotency key missing",
          "POST /payments needs an Idempotency-Key header, e.g. Idempotency-Key: \"<uuid>\"");
    }
    if (values.size() > 1) {
      throw malformedKey("send one Idempotency-Key header, not " + values.size());
    }
    String raw = values.get(0).strip();
    String key = raw.startsWith("\"") ? sfString(raw) : bareKey(raw);
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw malformedKey(
          "the key must have 1 to " + MAX_KEY_LENGTH + " characters, had " + key.length());
    }
    return key;
  }

  private static String sfString(String raw) throws HttpProblem {
    StringBuilder key = new StringBuilder(raw.length());
    for (int i = 1; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\\') {
        char next = i + 1 < raw.length() ? raw.charAt(i + 1) : '\0';
        if (next != '"' && next != '\\') {
          throw malformedKey("in a quoted key a backslash may only escape '\"' or '\\'");
        }
        key.append(next);
        i++;
      } else if (c == '"') {
        if (i != raw.length() - 1) {
          throw malformedKey("nothing may follow the closing quote (no parameters)");
        }
        return key.toString();
      } else if (c < 0x20 || c > 0x7E) {
        throw malformedKey("the key may only have printable ASCII characters");
      } else {
        key.append(c);
      }
    }
    throw malformedKey("the quoted key has no closing quote");
  }

  private static String bareKey(String raw) throws HttpProblem {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c <= 0x20 || c > 0x7E || c == '"' || c == '\\') {
        throw malformedKey(
            "an unquoted key may only have visible ASCII characters without quotes or"
                + " backslashes; quote it as a Structured Field String");
      }
    }
    return raw;
  }

  private JsonNode parse(byte[] raw) throws HttpProblem {
    try {
      JsonNode node = json.readTree(raw);
      if (node == null || !node.isObject()) {
        throw invalidBody("the body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw invalidBody("the body is not valid JSON (or repeats a member)");
    } catch (IOException e) {
      throw invalidBody("the body could not be read");
    }
  }

  private static PaymentRequest validate(JsonNode body) throws HttpProblem {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw invalidBody("unknown member; the body has amount, currency, customer and card");
      }
    }
    JsonNode amount = body.path("amount");
    if (!amount.isIntegralNumber()
        || !amount.canConvertToLong()
        || amount.longValue() < 1
        || amount.longValue() > MAX_AMOUNT) {
      throw invalidBody("amount must be a whole number of cents from 1 to " + MAX_AMOUNT);
    }
    String currency = text(body, "currency", CURRENCY, "three upper-case letters such as EUR");
    String customer = text(body, "customer", TEXT, "1 to 100 printable ASCII characters");
    String card =
        body.has("card")
            ? text(body, "card", TEXT, "1 to 100 printable ASCII characters")
            : PaymentRequest.GOOD_CARD;
    return new PaymentRequest(amount.longValue(), currency, customer, card);
  }

  private static String text(JsonNode body, String name, Pattern pattern, String rule)
      throws HttpProblem {
    JsonNode value = body.path(name);
    if (!value.isTextual() || !pattern.matcher(value.textValue()).matches()) {
      throw invalidBody(name + " must be a string of " + rule);
    }
    return value.textValue();
  }

  private static HttpProblem invalidBody(String detail) {
    return new HttpProblem(400, "invalid-body", "Invalid request body", detail);
  }

  private static HttpProblem malformedKey(String detail) {
    return new HttpProblem(400, "idempotency-key-malformed", "Malformed idempotency key", detail);
  }

  private static HttpProblem unauthorized(String detail) {
    return new HttpProblem(
        401,
        "unauthorized",
        "Caller unknown",
        detail,
        Map.of("WWW-Authenticate", "Bearer"),
        Map.of());
  }

  private static HttpProblem notAllowed(String allow) {
    return new HttpProblem(
        405,
        "method-not-allowed",
        "Method not allowed",
        "this resource supports " + allow,
        Map.of("Allow", allow),
        Map.of());
  }

  private static HttpProblem unavailable() {
    return new HttpProblem(
        503,
        "database-unavailable",
        "Database unavailable",
        "the database failed; retry with the same key",
        Map.of("Retry-After", "1"),
        Map.of());
  }

  private void sendProblem(HttpExchange exchange, HttpProblem problem, boolean replayed)
      throws IOException {
    Headers headers = exchange.getResponseHeaders();
    problem.headers().forEach(headers::set);
    if (replayed) {
      headers.set(REPLAYED_HEADER, "true");
    }
    send(exchange, problem.status(), "application/problem+json", problem.body(json));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type.toLowerCase(Locale.ROOT));
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
