package io.github.idem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.github.idem.api.AmbientTransactionException;
import io.github.idem.api.IdemException;
import io.github.idem.api.IdemSqlException;
import io.github.idem.api.InvalidConnectionException;
import io.github.idem.api.InvalidKeyException;
import io.github.idem.api.InvalidValuesException;
import io.github.idem.api.KeyRecordVanishedException;
import io.github.idem.api.KeyReusedException;
import io.github.idem.api.LeaseLostException;
import io.github.idem.api.NestedExecutionException;
import io.github.idem.api.OperationFailedException;
import io.github.idem.api.OperationInProgressException;
import io.github.idem.api.ResultDecodingException;
import io.github.idem.api.ResultEncodingException;
import io.github.idem.api.RetriesExhaustedException;
import io.github.idem.api.TransactionControlException;
import io.github.idem.dialect.OperationsTableSchema;
import io.github.idem.internal.Clock;
import io.github.idem.internal.EventSink;
import io.github.idem.internal.Fingerprints;
import io.github.idem.internal.IdemContext;
import io.github.idem.internal.Keys;
import io.github.idem.internal.OperationStore;
import io.github.idem.testing.Engine;
import io.github.idem.testing.TestDatabases;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Every exception type Idem throws, built along Idem's own paths from a recognisable secret key,
 * request, value and result: none of them reaches {@code getMessage()} or {@code toString()}, nor
 * do eight consecutive hex digits of a request fingerprint; exceptions about one key return it from
 * {@code key()}, and a codec's exception stays the cause.
 */
class ExceptionMessagesTest {
  private static final String MARKER = "SECRET";
  private static final String KEY = "key-SECRET-4711";
  private static final String REQUEST = "amount=SECRET-42";
  private static final String OTHER_REQUEST = "amount=SECRET-43";
  private static final String RESULT = "result-SECRET-receipt";
  private static final String VALUE = "value-SECRET-iban";

  /**
   * The types whose messages are built only from configuration (durations, counts, table and column
   * names, DDL), SQLSTATEs and vendor codes, update counts, or the engine's product and version: no
   * entry point hands them a key, a bound value or a stored result.
   */
  private static final Map<String, String> NO_CALL_DATA =
      Map.of(
          "InvalidConfigurationException", "builder settings: durations, counts, names",
          "InvalidIdentifierException", "table and column names",
          "InvalidStatementException", "table and column names, statement shape",
          "OperationsTableException", "the table's name, its columns and the expected DDL",
          "OutcomeUnavailableException", "update counts and row numbers",
          "UnsupportedDatabaseException", "the product's name and version",
          "UnsupportedFeatureException", "the feature, the dialect and its version");

  private final DataSource h2 = TestDatabases.shared(Engine.H2).dataSource();
  private final String scope = "msg-" + UUID.randomUUID();

  @Test
  void shouldKeepSecretsOutOfEveryExceptionTypesMessage() throws Exception {
    Map<Class<?>, Throwable> provoked = provokeEach();

    Set<String> types = new TreeSet<>();
    for (JavaClass type :
        new ClassFileImporter().importPackages("io.github.idem.api").that(isIdemException())) {
      types.add(type.getSimpleName());
    }
    Set<String> covered = new TreeSet<>(NO_CALL_DATA.keySet());
    provoked.keySet().forEach(type -> covered.add(type.getSimpleName()));
    assertThat(covered)
        .as("every exception type is provoked or listed with its reason")
        .isEqualTo(types);

    provoked.forEach(
        (type, e) -> {
          assertThat(e).as(type.getSimpleName()).isExactlyInstanceOf(type);
          assertNoSecrets(e);
        });
  }

  @Test
  void shouldReturnTheKeyFromTheAccessorOnly() throws Exception {
    Map<Class<?>, Throwable> provoked = provokeEach();
    for (Class<?> type :
        List.of(
            KeyReusedException.class,
            OperationInProgressException.class,
            KeyRecordVanishedException.class,
            ResultEncodingException.class,
            ResultDecodingException.class,
            LeaseLostException.class,
            OperationFailedException.class)) {
      Object key = type.getMethod("key").invoke(provoked.get(type));
      assertThat(key).as(type.getSimpleName()).isEqualTo(Optional.of(KEY));
    }
    assertThat(new KeyReusedException("m").key()).isEmpty();
  }

  @Test
  void shouldKeepTheCodecsExceptionAsTheCauseWithoutCopyingIt() throws Exception {
    Map<Class<?>, Throwable> provoked = provokeEach();
    assertThat(provoked.get(ResultEncodingException.class))
        .hasMessageContaining("(java.lang.IllegalStateException, see the cause)")
        .cause()
        .hasMessage("cannot encode " + RESULT);
    assertThat(provoked.get(ResultDecodingException.class))
        .hasMessageContaining("(java.lang.IllegalStateException, see the cause)")
        .cause()
        .hasMessage("cannot decode " + RESULT);
  }

  private static com.tngtech.archunit.base.DescribedPredicate<JavaClass> isIdemException() {
    return com.tngtech.archunit.base.DescribedPredicate.describe(
        "a concrete Idem exception",
        c ->
            c.isAssignableTo(IdemException.class)
                && !c.getModifiers().contains(JavaModifier.ABSTRACT));
  }

  /** Builds one exception of each type a key, value or result can reach, along Idem's paths. */
  private Map<Class<?>, Throwable> provokeEach() throws Exception {
    Map<Class<?>, Throwable> out = new LinkedHashMap<>();
    IdemContext context =
        IdemContext.open(
            h2,
            null,
            new IdemContext.Settings(1, "idem_operations", Duration.ofMillis(10), 1),
            EventSink.NONE,
            Clock.SYSTEM);
    OperationStore store =
        OperationStore.operation(context, scope, Duration.ofSeconds(1), Duration.ofHours(1));
    String fingerprint = Fingerprints.of(REQUEST.getBytes(StandardCharsets.UTF_8));
    String other = Fingerprints.of(OTHER_REQUEST.getBytes(StandardCharsets.UTF_8));

    out.put(
        KeyReusedException.class,
        thrown(
            () ->
                store.observe(
                    KEY,
                    held ->
                        held.replay(
                            other,
                            new OperationStore.Stored(
                                fingerprint, OperationsTableSchema.DONE, bytes(RESULT))))));
    Throwable running =
        thrown(
            () ->
                store.observe(
                    KEY,
                    held ->
                        held.replay(
                            fingerprint,
                            new OperationStore.Stored(
                                fingerprint, OperationsTableSchema.RUNNING, null))));
    Throwable waited =
        thrown(
            () ->
                store.observe(
                    KEY,
                    held -> {
                      // H2's lock timeout, whose text names the locked row's key.
                      throw held.waitedTooLong(
                          context.clock().nanoTime(),
                          new SQLException("Timeout trying to lock " + KEY, "HYT00", 50200),
                          "");
                    }));
    assertNoSecrets(running);
    assertThat(((OperationInProgressException) running).key()).contains(KEY);
    out.put(OperationInProgressException.class, waited);
    try (Connection c = h2.getConnection()) {
      out.put(
          KeyRecordVanishedException.class,
          thrown(
              () ->
                  store.observe(
                      KEY,
                      held -> {
                        throw held.vanished(c);
                      })));
    }

    out.put(
        ResultEncodingException.class,
        thrown(() -> new StoredResults<>(quoting()).encode("scope '" + scope + "'", KEY, RESULT)));
    out.put(
        ResultDecodingException.class,
        thrown(
            () ->
                new StoredResults<>(quoting())
                    .decoded(
                        "scope '" + scope + "'",
                        KEY,
                        new OperationStore.Execution<String>(null, bytes(RESULT), true))));

    Throwable tooLong = thrown(() -> Keys.key(scope, KEY.repeat(20)));
    assertNoSecrets(thrown(() -> Keys.key(scope, KEY + "\n")));
    out.put(InvalidKeyException.class, tooLong);

    Idem idem = Idem.create(h2);
    idem.operationsTable().createIfMissing();
    String table = "msg_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + table + " (id VARCHAR(64) PRIMARY KEY, code VARCHAR(64) UNIQUE)");
    }
    GuardedInsert<String> insert =
        idem.operation(scope, ResultCodec.string()).insertInto(table).columns("id", "code").build();
    out.put(
        InvalidValuesException.class,
        thrown(() -> insert.execute(KEY, REQUEST, RESULT, VALUE, VALUE, VALUE)));
    insert.execute("first", REQUEST, RESULT, "id-1", VALUE);
    out.put(
        IdemSqlException.class, thrown(() -> insert.execute(KEY, REQUEST, RESULT, "id-2", VALUE)));

    Connection broken =
        (Connection)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                  throw new SQLException("lost the connection while sending " + VALUE, "08006");
                });
    GuardedOperation<String> op = idem.operation(scope, ResultCodec.string()).build();
    out.put(
        InvalidConnectionException.class,
        thrown(() -> op.execute(broken, KEY, REQUEST, c -> RESULT)));
    out.put(
        TransactionControlException.class,
        thrown(
            () ->
                op.execute(
                    KEY,
                    REQUEST,
                    c -> {
                      c.createStatement().execute("COMMIT -- " + VALUE);
                      return RESULT;
                    })));
    try (Connection autocommit = h2.getConnection()) {
      GuardedOperation<String> joining =
          Idem.builder(h2)
              .ambientTransactions(source -> autocommit)
              .build()
              .operation(scope, ResultCodec.string())
              .build();
      out.put(
          AmbientTransactionException.class,
          thrown(() -> joining.execute(KEY, REQUEST, c -> RESULT)));
    }
    out.put(
        RetriesExhaustedException.class,
        thrown(
            () ->
                idem.transactionRunner()
                    .maxAttempts(2)
                    .backoff(Duration.ofNanos(1), Duration.ofNanos(1))
                    .build()
                    .execute(
                        op,
                        KEY,
                        REQUEST,
                        c -> {
                          throw new SQLException("deadlock on " + VALUE, "40001", 40001);
                        })));
    out.put(
        NestedExecutionException.class,
        thrown(
            () ->
                op.execute(
                    KEY, REQUEST, c -> op.execute(c, KEY, REQUEST, inner -> RESULT).value())));

    String leaseScope = scope + "-lease";
    LeasedOperation<String> leased =
        idem.operation(leaseScope, ResultCodec.string()).lease(Duration.ofMinutes(1)).build();
    out.put(
        LeaseLostException.class,
        thrown(
            () ->
                leased.execute(
                    KEY,
                    REQUEST,
                    lease -> {
                      idem.keys().release(leaseScope, KEY, lease.attempt());
                      return RESULT;
                    })));
    String heldKey = KEY + "-held";
    leased.execute(
        heldKey,
        REQUEST,
        lease -> {
          // A live lease, as a second execution and a transactional operation of the scope see it.
          assertNoSecrets(thrown(() -> leased.execute(heldKey, REQUEST, inner -> RESULT)));
          return RESULT;
        });
    GuardedOperation<String> rejecting =
        idem.operation(scope + "-reject", ResultCodec.string())
            .terminalFailure(
                IllegalArgumentException.class,
                ResultCodec.of(
                    failure -> bytes(String.valueOf(failure.getMessage())),
                    stored ->
                        new IllegalArgumentException(new String(stored, StandardCharsets.UTF_8))),
                FailurePolicy.REJECT)
            .build();
    thrown(
        () ->
            rejecting.execute(
                KEY,
                REQUEST,
                c -> {
                  throw new IllegalArgumentException("declined " + VALUE);
                }));
    out.put(
        OperationFailedException.class, thrown(() -> rejecting.execute(KEY, REQUEST, c -> RESULT)));
    return out;
  }

  private static ResultCodec<String> quoting() {
    return ResultCodec.of(
        value -> {
          throw new IllegalStateException("cannot encode " + value);
        },
        stored -> {
          throw new IllegalStateException(
              "cannot decode " + new String(stored, StandardCharsets.UTF_8));
        });
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Throwable thrown(Callable<?> call) {
    Throwable e = catchThrowable(call::call);
    assertThat(e).as("the call fails").isNotNull();
    return e;
  }

  /** No secret, and not eight consecutive hex digits of either request's fingerprint. */
  private static void assertNoSecrets(Throwable e) {
    List<String> fingerprints =
        List.of(Fingerprints.of(bytes(REQUEST)), Fingerprints.of(bytes(OTHER_REQUEST)));
    for (String text : List.of(String.valueOf(e.getMessage()), e.toString())) {
      assertThat(text).as(e.getClass().getSimpleName()).doesNotContain(MARKER);
      for (String hex : fingerprints) {
        for (int i = 0; i + 8 <= hex.length(); i++) {
          assertThat(text).doesNotContain(hex.substring(i, i + 8));
        }
      }
    }
  }
}
