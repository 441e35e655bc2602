package io.github.idem.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import io.github.idem.GuardedOperation;
import io.github.idem.Idem;
import io.github.idem.IdempotentConsumer;
import io.github.idem.OperationResult;
import io.github.idem.ResultCodec;
import io.github.idem.TransactionRunner;
import io.github.idem.WriteStatement;
import io.github.idem.api.ErrorKind;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.Outcome;
import io.github.idem.api.TransactionControlException;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabase;
import io.github.idem.testing.TestDatabases;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keeps the guide in {@code docs/} honest. Every {@code ```java} block of a {@code docs/*.md} page
 * is the text between {@code // DOCS:start <page>} and {@code // DOCS:end} in a test source of this
 * repository (this class for the toolkit's pages; a module with its own pages keeps its snippets in
 * its own tests), and the snippets here run on H2. Relative links in the guide and in the README
 * must reach a file of the repository, and an anchor a heading of it; the error catalogue must name
 * every exception of {@code io.github.idem.api} and every {@link ErrorKind}.
 */
class GuideTest {
  private static final Path ROOT = Path.of("..");
  private static final Path DOCS = ROOT.resolve("docs");
  private static final Pattern JAVA_BLOCK =
      Pattern.compile("```java\\n(.*?)\\n```", Pattern.DOTALL);
  private static final Pattern MARKED =
      Pattern.compile("// DOCS:start (\\S+\\.md)\\n(.*?)\\n\\s*// DOCS:end", Pattern.DOTALL);
  private static final Pattern FENCE = Pattern.compile("(?m)^```.*?^```", Pattern.DOTALL);
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  private TestDatabase db;
  private DataSource dataSource;
  private Idem idem;

  @BeforeEach
  void createTables() throws SQLException {
    db = TestDatabases.fresh(Engine.H2);
    dataSource = db.dataSource();
    sql(
        "CREATE TABLE customers (id BIGINT PRIMARY KEY, email VARCHAR(100))",
        "CREATE TABLE orders (id VARCHAR(36) PRIMARY KEY, request VARCHAR(200))",
        "CREATE TABLE shipments (message_id VARCHAR(64) PRIMARY KEY)",
        "CREATE TABLE invoices (message_id VARCHAR(64) PRIMARY KEY)",
        "CREATE TABLE inbox (message_id VARCHAR(64) PRIMARY KEY, payload VARCHAR(200))",
        "CREATE TABLE audit (entry VARCHAR(200))");
  }

  @AfterEach
  void dropDatabase() {
    db.assertNoLeakedConnections();
    db.close();
  }

  // --- docs/getting-started-jdbc.md -----------------------------------------------------------

  @Test
  void shouldRunTheJdbcGettingStarted() throws SQLException {
    // DOCS:start getting-started-jdbc.md
    Idem idem = Idem.create(dataSource); // once per DataSource; thread-safe
    idem.operationsTable().createIfMissing(); // Idem's table of keys, unless it exists
    // DOCS:end

    // DOCS:start getting-started-jdbc.md
    WriteStatement saveCustomer =
        idem.upsert("customers").columns("id", "email").conflictKey("id").build();

    Outcome created = saveCustomer.execute(42L, "ada@example.com"); // INSERTED
    Outcome retried = saveCustomer.execute(42L, "ada@example.com"); // UNCHANGED: a harmless replay
    Outcome changed = saveCustomer.execute(42L, "ada@example.org"); // UPDATED
    // DOCS:end
    assertThat(List.of(created, retried, changed))
        .containsExactly(Outcome.INSERTED, Outcome.UNCHANGED, Outcome.UPDATED);

    String idempotencyKey = "7b1f0c2e";
    String requestBody = "{\"sku\":\"A-1\",\"quantity\":2}";
    // DOCS:start getting-started-jdbc.md
    GuardedOperation<String> placeOrder = idem.operation("orders", ResultCodec.string()).build();

    OperationResult<String> placed =
        placeOrder.execute(
            idempotencyKey, // e.g. the client's Idempotency-Key header
            requestBody, // the same key with another request gets KeyReusedException
            connection -> insertOrder(connection, requestBody)); // commits with the key record
    String orderId = placed.value(); // every retry gets this id back, with replayed() true
    // DOCS:end
    OperationResult<String> retry =
        placeOrder.execute(idempotencyKey, requestBody, c -> insertOrder(c, requestBody));
    assertThat(placed.replayed()).isFalse();
    assertThat(retry.replayed()).isTrue();
    assertThat(retry.value()).isEqualTo(orderId);
    assertThat(count("orders")).isEqualTo(1);
    assertThatThrownBy(
            () -> placeOrder.execute(idempotencyKey, "{\"sku\":\"B-2\"}", c -> insertOrder(c, "")))
        .isInstanceOf(KeyReusedException.class);

    String messageId = "msg-1";
    // DOCS:start getting-started-jdbc.md
    IdempotentConsumer shipments = idem.consumer("shipments");

    boolean processed = // false for a redelivery: the body does not run again
        shipments.process(
            messageId,
            connection -> {
              recordShipment(connection, messageId); // commits with the message id's claim
              return null; // a consumer's body has no result
            });
    // DOCS:end
    boolean again = shipments.process(messageId, c -> recordShipment(c, messageId));
    assertThat(processed).isTrue();
    assertThat(again).isFalse();
    assertThat(count("shipments")).isEqualTo(1);
  }

  // DOCS:start getting-started-jdbc.md
  static String insertOrder(Connection connection, String requestBody) throws SQLException {
    String orderId = UUID.randomUUID().toString();
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO orders (id, request) VALUES (?, ?)")) {
      insert.setString(1, orderId);
      insert.setString(2, requestBody);
      insert.executeUpdate();
    }
    return orderId;
  }

  // DOCS:end

  // --- docs/getting-started-jooq.md -----------------------------------------------------------

  @Test
  void shouldRunTheJooqBodyInIdemsTransaction() throws SQLException {
    idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    GuardedOperation<String> placeOrder = idem.operation("orders", ResultCodec.string()).build();
    String idempotencyKey = "9c4e";
    String requestBody = "{\"sku\":\"A-1\"}";
    List<OperationResult<String>> results = new ArrayList<>();
    for (int attempt = 0; attempt < 2; attempt++) {
      // DOCS:start getting-started-jooq.md
      OperationResult<String> placed =
          placeOrder.execute(
              idempotencyKey,
              requestBody,
              connection -> {
                DSLContext dsl = DSL.using(connection, SQLDialect.H2); // your dialect
                String orderId = UUID.randomUUID().toString();
                dsl.insertInto(table("orders"), field("id"), field("request"))
                    .values(orderId, requestBody)
                    .execute();
                return orderId; // stored with the key; a retry gets it back without the insert
              });
      // DOCS:end
      results.add(placed);
    }
    assertThat(results.get(0).replayed()).isFalse();
    assertThat(results.get(1).replayed()).isTrue();
    assertThat(results.get(1).value()).isEqualTo(results.get(0).value());
    assertThat(count("orders")).isEqualTo(1);
  }

  @Test
  void shouldJoinAJooqTransaction() throws SQLException {
    idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    GuardedOperation<String> placeOrder = idem.operation("orders", ResultCodec.string()).build();
    String idempotencyKey = "5d2a";
    String requestBody = "{\"sku\":\"C-3\"}";
    List<OperationResult<String>> results = new ArrayList<>();
    for (int attempt = 0; attempt < 2; attempt++) {
      // DOCS:start getting-started-jooq.md
      DSLContext dsl = DSL.using(dataSource, SQLDialect.H2);

      OperationResult<String> placed =
          dsl.transactionResult(
              cfg -> {
                cfg.dsl()
                    .insertInto(table("audit"), field("entry"))
                    .values("order request")
                    .execute();
                return cfg.dsl()
                    .connectionResult( // the jOOQ transaction's JDBC connection
                        connection ->
                            placeOrder.execute(
                                connection, // Idem joins this transaction; jOOQ commits it
                                idempotencyKey,
                                requestBody,
                                c -> {
                                  String orderId = UUID.randomUUID().toString();
                                  DSL.using(c, SQLDialect.H2)
                                      .insertInto(table("orders"), field("id"), field("request"))
                                      .values(orderId, requestBody)
                                      .execute();
                                  return orderId;
                                }));
              });
      // DOCS:end
      results.add(placed);
    }
    assertThat(results.get(1).replayed()).isTrue();
    assertThat(results.get(1).value()).isEqualTo(results.get(0).value());
    assertThat(count("orders")).isEqualTo(1);
    assertThat(count("audit")).isEqualTo(2);
    // A jOOQ rollback takes Idem's key record with it: the same key runs again afterwards.
    DSLContext dsl = DSL.using(dataSource, SQLDialect.H2);
    assertThatThrownBy(
            () ->
                dsl.transaction(
                    cfg ->
                        cfg.dsl()
                            .connection(
                                connection -> {
                                  placeOrder.execute(
                                      connection,
                                      "rolled-back",
                                      (String) null,
                                      c -> insertOrder(c, "x"));
                                  throw new IllegalStateException("later step failed");
                                })))
        .hasMessageContaining("later step failed");
    assertThat(
            placeOrder.execute("rolled-back", (String) null, c -> insertOrder(c, "x")).replayed())
        .isFalse();
  }

  @Test
  void shouldRefuseAJooqTransactionInsideABody() throws SQLException {
    idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    GuardedOperation<String> placeOrder = idem.operation("orders", ResultCodec.string()).build();
    assertThatThrownBy(
            () ->
                placeOrder.execute(
                    "k",
                    (String) null,
                    c ->
                        DSL.using(c, SQLDialect.H2)
                            .transactionResult(
                                cfg -> {
                                  cfg.dsl()
                                      .insertInto(table("orders"), field("id"), field("request"))
                                      .values("o-1", "x")
                                      .execute();
                                  return "o-1";
                                })))
        .hasRootCauseInstanceOf(TransactionControlException.class);
    assertThat(count("orders")).isZero();
  }

  // --- docs/retries.md -----------------------------------------------------------------------

  @Test
  void shouldRunTheRetriesExamples() throws SQLException {
    idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    sql(
        "CREATE TABLE stock (sku VARCHAR(20) PRIMARY KEY, quantity INTEGER)",
        "INSERT INTO stock (sku, quantity) VALUES ('sku-1', 5)");
    LongAdder retries = new LongAdder();
    // DOCS:start retries.md
    TransactionRunner runner =
        idem.transactionRunner()
            .maxAttempts(5) // the first attempt included
            .backoff(Duration.ofMillis(10), Duration.ofSeconds(1)) // full jitter, capped at 1 s
            .onRetry((attempt, kind, delay, failure) -> retries.increment())
            .build(); // thread-safe: build once, share it

    int left = runner.run(connection -> takeFromStock(connection, "sku-1", 2)); // once committed
    // DOCS:end
    assertThat(left).isEqualTo(3);
    assertThat(retries.sum()).isZero();

    GuardedOperation<String> placeOrder = idem.operation("orders", ResultCodec.string()).build();
    String idempotencyKey = "k-1";
    String requestBody = "{}";
    // DOCS:start retries.md
    OperationResult<String> placed =
        runner.execute(placeOrder, idempotencyKey, requestBody, c -> insertOrder(c, requestBody));
    // DOCS:end
    OperationResult<String> again =
        runner.execute(placeOrder, idempotencyKey, requestBody, c -> insertOrder(c, requestBody));
    assertThat(again.replayed()).isTrue();
    assertThat(again.value()).isEqualTo(placed.value());
    assertThat(count("orders")).isEqualTo(1);
  }

  static int takeFromStock(Connection connection, String sku, int quantity) throws SQLException {
    try (PreparedStatement take =
        connection.prepareStatement("UPDATE stock SET quantity = quantity - ? WHERE sku = ?")) {
      take.setInt(1, quantity);
      take.setString(2, sku);
      take.executeUpdate();
    }
    try (PreparedStatement read =
        connection.prepareStatement("SELECT quantity FROM stock WHERE sku = ?")) {
      read.setString(1, sku);
      try (ResultSet rs = read.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  // --- docs/consumers.md ----------------------------------------------------------------------

  @Test
  void shouldRunTheConsumerExamples() throws SQLException {
    idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    String messageId = "inv-1";
    // DOCS:start consumers.md
    IdempotentConsumer billing = idem.consumer("billing");

    boolean processed = // false for a redelivery
        billing.process(
            messageId,
            connection -> {
              applyInvoice(connection, messageId); // commits with the claim, or neither does
              return null;
            });
    // DOCS:end
    assertThat(processed).isTrue();
    assertThat(claimInYourTransaction(billing, messageId)).isFalse();
    assertThat(claimInYourTransaction(billing, "inv-2")).isTrue();
    assertThat(count("invoices")).isEqualTo(2);

    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      List<String> messageIds = List.of("inv-4", "inv-2", "inv-3", "inv-4");
      // DOCS:start consumers.md
      Set<String> fresh = billing.claimAll(connection, messageIds); // the new ones, in input order
      for (String id : fresh) {
        applyInvoice(connection, id);
      }
      connection.commit(); // the claims and the invoices together
      // DOCS:end
      assertThat(fresh).containsExactly("inv-4", "inv-3");
      connection.setAutoCommit(true);
    }
    assertThat(count("invoices")).isEqualTo(4);
  }

  private boolean claimInYourTransaction(IdempotentConsumer billing, String messageId)
      throws SQLException {
    boolean claimed;
    // DOCS:start consumers.md
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        claimed = billing.claim(connection, messageId); // false: processed before, skip it
        if (claimed) {
          applyInvoice(connection, messageId);
        }
        connection.commit(); // the claim and the invoice commit together
      } catch (SQLException | RuntimeException e) {
        connection.rollback(); // the claim goes too: the redelivery processes the message
        throw e;
      }
    }
    // DOCS:end
    return claimed;
  }

  @Test
  void shouldRunTheInboxExample() throws SQLException {
    idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    List<Outcome> received = new ArrayList<>();
    for (String messageId : List.of("m-1", "m-2", "m-1")) {
      String payload = "payload of " + messageId;
      // DOCS:start consumers.md
      WriteStatement receive =
          idem.insertIfAbsent("inbox")
              .columns("message_id", "payload")
              .conflictKey("message_id")
              .build();

      Outcome stored = receive.execute(messageId, payload); // INSERTED, or UNCHANGED if redelivered
      // either way the message is stored: acknowledge it to the broker now
      // DOCS:end
      received.add(stored);
    }
    assertThat(received).containsExactly(Outcome.INSERTED, Outcome.INSERTED, Outcome.UNCHANGED);

    IdempotentConsumer worker = idem.consumer("inbox-worker");
    // DOCS:start consumers.md
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        for (String messageId : worker.claimAll(connection, pendingMessageIds(connection))) {
          applyInvoice(connection, messageId); // a concurrent worker waits, then skips these ids
          deleteFromInbox(connection, messageId);
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback(); // claims, effects and deletes roll back together
        throw e;
      }
    }
    // DOCS:end
    assertThat(count("inbox")).isZero();
    assertThat(count("invoices")).isEqualTo(2);
  }

  // --- docs/errors.md -------------------------------------------------------------------------

  @Test
  void shouldMapFailuresToHttpStatuses() throws SQLException {
    idem = Idem.create(dataSource);
    idem.operationsTable().createIfMissing();
    GuardedOperation<String> pay = idem.operation("payments", ResultCodec.string()).build();
    pay.execute("k", "request", c -> insertOrder(c, "request"));
    Map<String, Integer> statuses = new HashMap<>();
    statuses.put("reused", statusOf(() -> pay.execute("k", "other", c -> insertOrder(c, "o"))));
    statuses.put("blank key", statusOf(() -> pay.execute(" ", "r", c -> insertOrder(c, "o"))));
    statuses.put("in progress", httpStatus(idem, new OperationInProgressException("busy")));
    statuses.put("deadlock", httpStatus(idem, new SQLException("deadlock", "40001", 40001)));
    statuses.put("syntax", statusOf(() -> pay.execute("k3", "r", c -> failingBody(c))));
    assertThat(statuses)
        .containsEntry("reused", 422)
        .containsEntry("blank key", 400)
        .containsEntry("in progress", 409)
        .containsEntry("deadlock", 503)
        .containsEntry("syntax", 500);
  }

  private int statusOf(ThrowingCall call) {
    try {
      call.run();
      return 200;
    } catch (Exception e) {
      return httpStatus(idem, e);
    }
  }

  private static String failingBody(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("NOT SQL");
    }
    return "never";
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }

  // DOCS:start errors.md
  static int httpStatus(Idem idem, Exception e) {
    if (e instanceof KeyReusedException) {
      return 422; // the key was used for another request: the client's mistake
    }
    if (e instanceof OperationInProgressException) {
      return 409; // the first request with this key is still running: retry later
    }
    if (e instanceof InvalidKeyException) {
      return 400; // an Idempotency-Key Idem cannot store (empty, too long, control characters)
    }
    ErrorKind kind = idem.classify(e); // an IdemSqlException, or a driver's SQLException
    if (kind != ErrorKind.OTHER && kind != ErrorKind.UNIQUE_VIOLATION) {
      return 503; // transient: retrying with the same key replays or runs the operation once
    }
    return 500;
  }

  // DOCS:end

  // --- the guide's own consistency ------------------------------------------------------------

  @Test
  void shouldCompileEveryJavaBlockOfTheGuide() throws IOException {
    Map<String, List<String>> snippets = new HashMap<>();
    for (Path source : testSources()) {
      Matcher marked = MARKED.matcher(Files.readString(source));
      while (marked.find()) {
        snippets
            .computeIfAbsent(marked.group(1), k -> new ArrayList<>())
            .add(normalize(marked.group(2)));
      }
    }
    int blocks = 0;
    Set<String> matched = new HashSet<>();
    for (Path page : pages()) {
      String name = page.getFileName().toString();
      Matcher block = JAVA_BLOCK.matcher(Files.readString(page));
      while (block.find()) {
        blocks++;
        String code = normalize(block.group(1));
        assertThat(snippets.getOrDefault(name, List.of()))
            .as(
                "docs/%s has a java block starting '%s' that no test marks with"
                    + " '// DOCS:start %s'; copy it into a test that compiles and runs it",
                name, code.lines().findFirst().orElse(""), name)
            .contains(code);
        matched.add(name + "\n" + code);
      }
    }
    snippets.forEach(
        (name, codes) ->
            codes.forEach(
                code ->
                    assertThat(matched)
                        .as(
                            "a snippet marked '// DOCS:start %s' starting '%s' is in no java block"
                                + " of docs/%s",
                            name, code.lines().findFirst().orElse(""), name)
                        .contains(name + "\n" + code)));
    assertThat(blocks).isGreaterThanOrEqualTo(11);
  }

  @Test
  void shouldLinkOnlyToFilesAndHeadingsThatExist() throws IOException {
    List<Path> linking = new ArrayList<>(pages());
    linking.add(ROOT.resolve("README.md"));
    List<String> broken = new ArrayList<>();
    int links = 0;
    for (Path page : linking) {
      String text = proseOf(Files.readString(page));
      Matcher link = LINK.matcher(text);
      while (link.find()) {
        links++;
        String target = link.group(1);
        if (target.matches("[a-z]+:.*")) {
          broken.add(page + ": " + target + " leaves the repository");
          continue;
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
          broken.add(page + ": " + target + " (no such file)");
        } else if (hash >= 0 && !anchors(resolved).contains(target.substring(hash + 1))) {
          broken.add(page + ": " + target + " (no such heading)");
        }
      }
    }
    assertThat(broken).as("broken links").isEmpty();
    assertThat(links).isGreaterThanOrEqualTo(20);
    assertThat(Files.readString(ROOT.resolve("README.md"))).contains("](docs/README.md)");
  }

  @Test
  void shouldNameEveryExceptionAndErrorKindInTheCatalogue() throws Exception {
    String catalogue = Files.readString(DOCS.resolve("errors.md"));
    List<String> missing = new ArrayList<>();
    try (Stream<Path> api = Files.list(ROOT.resolve("dialects/src/main/java/io/github/idem/api"))) {
      for (Path source : api.sorted().toList()) {
        String name = source.getFileName().toString().replace(".java", "");
        if (name.equals("package-info")) {
          continue;
        }
        Class<?> type = Class.forName("io.github.idem.api." + name);
        boolean concreteException =
            Throwable.class.isAssignableFrom(type) && !Modifier.isAbstract(type.getModifiers());
        if (concreteException && !catalogue.contains("### `" + name + "`")) {
          missing.add(name + " (needs a '### `" + name + "`' heading)");
        } else if (Throwable.class.isAssignableFrom(type)
            && !catalogue.contains("`" + name + "`")) {
          missing.add(name);
        }
      }
    }
    for (ErrorKind kind : ErrorKind.values()) {
      if (!catalogue.contains("| `" + kind.name() + "` |")) {
        missing.add("ErrorKind." + kind.name() + " (needs a table row '| `" + kind + "` |')");
      }
    }
    assertThat(missing).as("exceptions and kinds the catalogue does not describe").isEmpty();
  }

  @Test
  void shouldGiveTheCoordinatesOfThePoms() throws IOException {
    String version = projectVersion(Files.readString(ROOT.resolve("pom.xml")));
    String page = Files.readString(DOCS.resolve("getting-started-jdbc.md"));
    assertThat(page)
        .contains("<groupId>io.github.idem</groupId>")
        .contains("<artifactId>idem-toolkit</artifactId>")
        .contains("<version>" + version + "</version>");
    assertThat(Files.readString(ROOT.resolve("toolkit/pom.xml")))
        .contains("<artifactId>idem-toolkit</artifactId>");
  }

  // --- helpers --------------------------------------------------------------------------------

  private static String projectVersion(String pom) {
    Matcher m =
        Pattern.compile("<artifactId>idem-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(pom);
    assertThat(m.find()).as("the root pom's version").isTrue();
    return m.group(1);
  }

  private static List<Path> pages() throws IOException {
    try (Stream<Path> files = Files.list(DOCS)) {
      return files.filter(p -> p.toString().endsWith(".md")).sorted().toList();
    }
  }

  private static List<Path> testSources() throws IOException {
    List<Path> sources = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.toList()) {
        Path tests = module.resolve("src/test/java");
        if (Files.isDirectory(tests)) {
          try (Stream<Path> walk = Files.walk(tests)) {
            walk.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
          }
        }
      }
    }
    return sources;
  }

  /** The text outside fenced blocks and inline code, where Markdown links live. */
  private static String proseOf(String markdown) {
    return INLINE_CODE.matcher(FENCE.matcher(markdown).replaceAll("")).replaceAll("");
  }

  /**
   * GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered.
   */
  static Set<String> anchors(Path page) throws IOException {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    String text = FENCE.matcher(Files.readString(page)).replaceAll("");
    for (String line : text.lines().toList()) {
      if (!line.matches("#{1,6} .*")) {
        continue;
      }
      String slug =
          line.replaceFirst("^#+ ", "")
              .strip()
              .toLowerCase(Locale.ROOT)
              .replaceAll("[^\\p{L}\\p{N} _-]", "")
              .replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum);
      anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return anchors;
  }

  private static String normalize(String code) {
    return code.lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .collect(Collectors.joining("\n"));
  }

  private int count(String table) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  private static @Nullable Void recordShipment(Connection connection, String messageId)
      throws SQLException {
    insertId(connection, "shipments", messageId);
    return null;
  }

  private static void applyInvoice(Connection connection, String messageId) throws SQLException {
    insertId(connection, "invoices", messageId);
  }

  private static void insertId(Connection connection, String table, String messageId)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("INSERT INTO " + table + " (message_id) VALUES (?)")) {
      ps.setString(1, messageId);
      ps.executeUpdate();
    }
  }

  private static List<String> pendingMessageIds(Connection connection) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT message_id FROM inbox ORDER BY message_id")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  private static void deleteFromInbox(Connection connection, String messageId) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("DELETE FROM inbox WHERE message_id = ?")) {
      ps.setString(1, messageId);
      ps.executeUpdate();
    }
  }
}
