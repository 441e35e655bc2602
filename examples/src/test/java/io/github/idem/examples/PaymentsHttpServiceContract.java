package io.github.idem.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.idem.Idem;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP payments service end to end through {@link HttpClient}, run on each engine by {@link
 * PaymentsHttpServiceTest}'s nested classes.
 */
@Timeout(120)
abstract class PaymentsHttpServiceContract {
  private static final String BODY =
      "{\"amount\":1250,\"currency\":\"EUR\",\"customer\":\"cus_1\"}";

  /** BODY with its members in another order, and whitespace: the same request. */
  private static final String SAME_BODY_REORDERED =
      "{\n  \"customer\" : \"cus_1\",\t\"currency\": \"EUR\",\n  \"amount\": 1250\n}\n";

  private static final String DECLINED_BODY =
      "{\"amount\":990,\"currency\":\"EUR\",\"customer\":\"cus_2\",\"card\":\"tok_chargeDeclined\"}";

  private final HttpClient client = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private TestDatabase db;
  private CountingGateway gateway;
  private PaymentsHttpService service;
  private URI base;

  abstract Engine engine();

  @BeforeEach
  void startService() throws Exception {
    db = TestDatabases.fresh(engine());
    Idem idem = Idem.create(db.dataSource());
    PaymentsHttpService.createTables(db.dataSource(), idem);
    gateway = new CountingGateway(PaymentsHttpService.simulatedGateway(db.dataSource(), idem));
    startService(idem);
  }

  private void startService(Idem idem) throws Exception {
    service = new PaymentsHttpService(db.dataSource(), idem, gateway);
    base = service.start(0);
  }

  @AfterEach
  void stopService() {
    try {
      if (service != null) {
        service.close();
      }
    } finally {
      if (db != null) {
        db.close();
      }
    }
  }

  @Test
  void shouldCreateOnceAndReplayAnEquivalentBodyWithTheSameAnswer() throws Exception {
    String key = UUID.randomUUID().toString();

    HttpResponse<String> first = post("alice", quoted(key), BODY);
    HttpResponse<String> second = post("alice", quoted(key), SAME_BODY_REORDERED);

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(first.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(first.headers().firstValue(PaymentsHttpService.REPLAYED_HEADER)).isEmpty();
    JsonNode payment = json.readTree(first.body());
    assertThat(payment.path("id").asText()).startsWith("pay_");
    assertThat(payment.path("amount").asLong()).isEqualTo(1250);
    assertThat(payment.path("status").asText()).isEqualTo("succeeded");
    assertThat(first.headers().firstValue("Location"))
        .hasValue("/payments/" + payment.path("id").asText());

    assertThat(second.statusCode()).isEqualTo(201);
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(second.headers().firstValue(PaymentsHttpService.REPLAYED_HEADER)).hasValue("true");
    assertThat(second.headers().firstValue("Location"))
        .isEqualTo(first.headers().firstValue("Location"));

    HttpResponse<String> read = get("alice", "/payments/" + payment.path("id").asText());
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.body()).isEqualTo(first.body());

    assertThat(count("payments")).isEqualTo(1);
    assertThat(gateway.calls.get()).isEqualTo(1);
  }

  @Test
  void shouldAcceptABareKeyAsStripeClientsSendIt() throws Exception {
    String key = "order-" + UUID.randomUUID();

    HttpResponse<String> first = post("alice", key, BODY);
    HttpResponse<String> quotedRetry = post("alice", quoted(key), BODY);

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(quotedRetry.statusCode()).isEqualTo(201);
    assertThat(quotedRetry.headers().firstValue(PaymentsHttpService.REPLAYED_HEADER))
        .as("the quoted and the bare form name the same key")
        .hasValue("true");
  }

  @Test
  void shouldRefuseTheSameKeyWithAnotherBodyWith422() throws Exception {
    String key = UUID.randomUUID().toString();
    post("alice", quoted(key), BODY);

    HttpResponse<String> reused = post("alice", quoted(key), BODY.replace("1250", "1251"));

    assertProblem(reused, 422, "idempotency-key-reused");
    assertThat(reused.body()).doesNotContain(key);
    assertThat(count("payments")).isEqualTo(1);
    assertThat(gateway.calls.get()).isEqualTo(1);
  }

  @Test
  void shouldAnswer409WhileTheFirstRequestIsStillRunning() throws Exception {
    String key = UUID.randomUUID().toString();
    gateway.hold();
    CompletableFuture<HttpResponse<String>> first =
        client.sendAsync(
            postRequest("alice", quoted(key), BODY), HttpResponse.BodyHandlers.ofString());
    assertThat(gateway.entered.await(60, TimeUnit.SECONDS))
        .as("first request in the gateway")
        .isTrue();

    HttpResponse<String> duplicate = post("alice", quoted(key), BODY);
    gateway.release();

    assertProblem(duplicate, 409, "request-in-progress");
    assertThat(duplicate.headers().firstValue("Retry-After")).hasValue("1");
    HttpResponse<String> created = first.get(60, TimeUnit.SECONDS);
    assertThat(created.statusCode()).isEqualTo(201);
    HttpResponse<String> retry = post("alice", quoted(key), BODY);
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.body()).isEqualTo(created.body());
    assertThat(gateway.calls.get()).isEqualTo(1);
  }

  @Test
  void shouldChargeConcurrentDuplicatesExactlyOnce() throws Exception {
    String key = UUID.randomUUID().toString();
    int duplicates = 12;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(duplicates);
    List<Future<HttpResponse<String>>> answers = new ArrayList<>();
    try {
      for (int i = 0; i < duplicates; i++) {
        answers.add(
            threads.submit(
                () -> {
                  go.await();
                  return post("alice", quoted(key), BODY);
                }));
      }
      go.countDown();
      int created = 0;
      int replayed = 0;
      int inProgress = 0;
      String payment = null;
      for (Future<HttpResponse<String>> answer : answers) {
        HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
        if (response.statusCode() == 409) {
          inProgress++;
          continue;
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        if (payment != null) {
          assertThat(response.body()).isEqualTo(payment);
        }
        payment = response.body();
        if (response.headers().firstValue(PaymentsHttpService.REPLAYED_HEADER).isPresent()) {
          replayed++;
        } else {
          created++;
        }
      }
      assertThat(created).isEqualTo(1);
      assertThat(created + replayed + inProgress).isEqualTo(duplicates);
    } finally {
      threads.shutdownNow();
    }
    assertThat(count("payments")).isEqualTo(1);
    assertThat(count(PaymentGateway.CHARGES)).isEqualTo(1);
    assertThat(gateway.calls.get()).isEqualTo(1);
  }

  @Test
  void shouldReplayAfterARestartOnTheSameDatabase() throws Exception {
    String key = UUID.randomUUID().toString();
    String declinedKey = UUID.randomUUID().toString();
    HttpResponse<String> before = post("alice", quoted(key), BODY);
    HttpResponse<String> declinedBefore = post("alice", quoted(declinedKey), DECLINED_BODY);

    service.close();
    startService(Idem.create(db.dataSource()));
    HttpResponse<String> after = post("alice", quoted(key), SAME_BODY_REORDERED);
    HttpResponse<String> declinedAfter = post("alice", quoted(declinedKey), DECLINED_BODY);

    assertThat(before.statusCode()).isEqualTo(201);
    assertThat(after.statusCode()).isEqualTo(201);
    assertThat(after.body()).isEqualTo(before.body());
    assertThat(after.headers().firstValue(PaymentsHttpService.REPLAYED_HEADER)).hasValue("true");
    assertThat(declinedAfter.statusCode()).isEqualTo(402);
    assertThat(declinedAfter.body()).isEqualTo(declinedBefore.body());
    assertThat(count("payments")).isEqualTo(1);
    assertThat(gateway.calls.get()).isEqualTo(2);
  }

  @Test
  void shouldKeepTwoCallersKeysApart() throws Exception {
    String key = UUID.randomUUID().toString();

    HttpResponse<String> alice = post("alice", quoted(key), BODY);
    HttpResponse<String> bob = postWithClientId("bob", quoted(key), BODY);
    HttpResponse<String> bobAgain = postWithClientId("bob", quoted(key), BODY);
    HttpResponse<String> bobOtherBody =
        postWithClientId("bob", quoted(key), BODY.replace("1250", "7"));

    assertThat(alice.statusCode()).isEqualTo(201);
    assertThat(bob.statusCode()).isEqualTo(201);
    assertThat(bob.headers().firstValue(PaymentsHttpService.REPLAYED_HEADER)).isEmpty();
    String aliceId = json.readTree(alice.body()).path("id").asText();
    String bobId = json.readTree(bob.body()).path("id").asText();
    assertThat(bobId).isNotEqualTo(aliceId);
    assertThat(bobAgain.body()).isEqualTo(bob.body());
    assertProblem(bobOtherBody, 422, "idempotency-key-reused");
    assertThat(get("bob", "/payments/" + aliceId).statusCode()).isEqualTo(404);
    assertThat(get("alice", "/payments/" + aliceId).statusCode()).isEqualTo(200);
    assertThat(count("payments")).isEqualTo(2);
    assertThat(gateway.calls.get()).isEqualTo(2);
  }

  @Test
  void shouldReplayADeclineAs402WithoutChargingAgain() throws Exception {
    String key = UUID.randomUUID().toString();

    HttpResponse<String> declined = post("alice", quoted(key), DECLINED_BODY);
    HttpResponse<String> replayed = post("alice", quoted(key), DECLINED_BODY);

    assertProblem(declined, 402, "card-declined");
    assertThat(json.readTree(declined.body()).path("code").asText()).isEqualTo("card_declined");
    assertThat(declined.headers().firstValue(PaymentsHttpService.REPLAYED_HEADER)).isEmpty();
    assertThat(replayed.statusCode()).isEqualTo(402);
    assertThat(replayed.body()).isEqualTo(declined.body());
    assertThat(replayed.headers().firstValue(PaymentsHttpService.REPLAYED_HEADER)).hasValue("true");
    assertThat(gateway.calls.get()).as("never attempted again").isEqualTo(1);
    assertThat(count("payments")).isZero();
  }

  @Test
  void shouldAnswer400ForAMissingOrMalformedKeyAndStoreNothing() throws Exception {
    assertProblem(post("alice", null, BODY), 400, "idempotency-key-missing");
    assertProblem(post("alice", quoted("x".repeat(256)), BODY), 400, "idempotency-key-malformed");
    assertProblem(post("alice", "x".repeat(256), BODY), 400, "idempotency-key-malformed");
    assertProblem(post("alice", "\"\"", BODY), 400, "idempotency-key-malformed");
    assertProblem(post("alice", "\"unclosed", BODY), 400, "idempotency-key-malformed");
    assertProblem(post("alice", "\"bad\\escape\"", BODY), 400, "idempotency-key-malformed");
    assertProblem(post("alice", "\"k\";param=1", BODY), 400, "idempotency-key-malformed");
    assertProblem(post("alice", "two words", BODY), 400, "idempotency-key-malformed");

    HttpResponse<String> longest = post("alice", quoted("y".repeat(255)), BODY);
    assertThat(longest.statusCode()).isEqualTo(201);
    assertThat(count("payments")).isEqualTo(1);
    assertThat(gateway.calls.get()).isEqualTo(1);
  }

  @Test
  void shouldAnswer400ForAnInvalidBodyWithoutUsingTheKey() throws Exception {
    String key = UUID.randomUUID().toString();

    assertProblem(post("alice", quoted(key), "{\"amount\":"), 400, "invalid-body");
    assertProblem(post("alice", quoted(key), "[1]"), 400, "invalid-body");
    assertProblem(post("alice", quoted(key), BODY.replace("1250", "12.5")), 400, "invalid-body");
    assertProblem(
        post("alice", quoted(key), BODY.replace("}", ",\"amount\":1}")), 400, "invalid-body");
    assertProblem(
        post("alice", quoted(key), BODY.replace("}", ",\"extra\":1}")), 400, "invalid-body");
    assertProblem(
        post("alice", quoted(key), "{\"pad\":\"" + "p".repeat(20_000) + "\"}"),
        413,
        "body-too-large");

    HttpResponse<String> valid = post("alice", quoted(key), BODY);
    assertThat(valid.statusCode())
        .as("the key was not used by the invalid requests")
        .isEqualTo(201);
    assertThat(valid.headers().firstValue(PaymentsHttpService.REPLAYED_HEADER)).isEmpty();
  }

  @Test
  void shouldAnswer401WithoutACaller() throws Exception {
    HttpResponse<String> none = post(null, quoted("k"), BODY);
    HttpResponse<String> basic =
        client.send(
            HttpRequest.newBuilder(base.resolve("/payments"))
                .header("Authorization", "Basic YWxpY2U6cHc=")
                .header("Idempotency-Key", quoted("k"))
                .POST(HttpRequest.BodyPublishers.ofString(BODY))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> badId = postWithClientId("al/ice", quoted("k"), BODY);
    HttpResponse<String> read = get(null, "/payments/pay_00000000000000000000000000000000");

    assertProblem(none, 401, "unauthorized");
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    assertProblem(basic, 401, "unauthorized");
    assertProblem(badId, 401, "unauthorized");
    assertProblem(read, 401, "unauthorized");
    assertThat(gateway.calls.get()).isZero();
  }

  @Test
  void shouldAnswer404ForAnUnknownPaymentAnd405ForOtherMethods() throws Exception {
    assertProblem(get("alice", "/payments/pay_00000000000000000000000000000000"), 404, "not-found");
    assertProblem(get("alice", "/payments/not-an-id"), 404, "not-found");
    assertProblem(get("alice", "/elsewhere"), 404, "not-found");
    HttpResponse<String> delete =
        client.send(
            HttpRequest.newBuilder(base.resolve("/payments/pay_00000000000000000000000000000000"))
                .header("Authorization", "Bearer alice")
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertProblem(delete, 405, "method-not-allowed");
    assertThat(delete.headers().firstValue("Allow")).hasValue("GET");
    assertProblem(get("alice", "/payments"), 405, "method-not-allowed");
  }

  private void assertProblem(HttpResponse<String> response, int status, String type)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = json.readTree(response.body());
    assertThat(problem.path("type").asText()).isEqualTo(HttpProblem.TYPE_BASE + type);
    assertThat(problem.path("status").asInt()).isEqualTo(status);
    assertThat(problem.path("title").asText()).isNotEmpty();
    assertThat(problem.path("detail").asText()).isNotEmpty();
  }

  private static String quoted(String key) {
    return "\"" + key + "\"";
  }

  private HttpResponse<String> post(@Nullable String caller, @Nullable String key, String body)
      throws Exception {
    return client.send(postRequest(caller, key, body), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest postRequest(@Nullable String caller, @Nullable String key, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve("/payments"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (caller != null) {
      request.header("Authorization", "Bearer " + caller);
    }
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return request.build();
  }

  private HttpResponse<String> postWithClientId(String caller, String key, String body)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(base.resolve("/payments"))
            .header("X-Client-Id", caller)
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(@Nullable String caller, String path) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).GET();
    if (caller != null) {
      request.header("Authorization", "Bearer " + caller);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private long count(String table) throws SQLException {
    try (Connection connection = db.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Counts gateway calls; {@link #hold} keeps the next calls inside until {@link #release}. */
  private static final class CountingGateway implements PaymentsHttpService.Gateway {
    private final PaymentsHttpService.Gateway real;
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch entered = new CountDownLatch(1);
    private volatile @Nullable CountDownLatch released;

    CountingGateway(PaymentsHttpService.Gateway real) {
      this.real = real;
    }

    void hold() {
      released = new CountDownLatch(1);
    }

    void release() {
      CountDownLatch latch = released;
      if (latch != null) {
        latch.countDown();
      }
    }

    @Override
    public String charge(String token, String paymentId, PaymentRequest request)
        throws CardDeclinedException, GatewayTimeoutException, SQLException {
      calls.incrementAndGet();
      CountDownLatch latch = released;
      if (latch != null) {
        entered.countDown();
        try {
          if (!latch.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never released the gateway");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      return real.charge(token, paymentId, request);
    }
  }
}
