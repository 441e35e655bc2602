package io.github.idem.conformance;

import io.github.idem.testing.Engine;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The conformance suite on a PostgreSQL primary with a synchronous standby, through pgjdbc's
 * multi-host URL ({@code targetServerType=primary}): every commit returns only once the standby has
 * it. {@link PostgresFailoverTest} kills the primary. Runs when {@code IDEM_TEST_HA=true} (the pair
 * needs the machine's PostgreSQL binaries, Debian package {@code postgresql-15}).
 */
@EnabledIfEnvironmentVariable(named = "IDEM_TEST_HA", matches = "true")
class PostgresqlHaConformanceTest {
  static final Engine ENGINE = Engine.POSTGRESQL_HA;

  @Nested
  class Upsert extends UpsertConformance {
    Upsert() {
      super(ENGINE);
    }
  }

  @Nested
  class InsertIfAbsent extends InsertIfAbsentConformance {
    InsertIfAbsent() {
      super(ENGINE);
    }
  }

  @Nested
  class Batch extends BatchConformance {
    Batch() {
      super(ENGINE);
    }
  }

  @Nested
  class Concurrency extends ConcurrencyConformance {
    Concurrency() {
      super(ENGINE);
    }
  }

  @Nested
  class CallerTransaction extends CallerTransactionConformance {
    CallerTransaction() {
      super(ENGINE);
    }
  }

  @Nested
  class BadInput extends BadInputConformance {
    BadInput() {
      super(ENGINE);
    }
  }

  @Nested
  class Classifier extends ClassifierConformance {
    Classifier() {
      super(ENGINE);
    }
  }

  @Nested
  class GuardedOperation extends GuardedOperationConformance {
    GuardedOperation() {
      super(ENGINE);
    }
  }

  @Nested
  class GuardedInsert extends GuardedInsertConformance {
    GuardedInsert() {
      super(ENGINE);
    }
  }

  @Nested
  class Retention extends RetentionConformance {
    Retention() {
      super(ENGINE);
    }
  }

  @Nested
  class IdempotentConsumer extends IdempotentConsumerConformance {
    IdempotentConsumer() {
      super(ENGINE);
    }
  }

  @Nested
  class RoundTrip extends RoundTripConformance {
    RoundTrip() {
      super(ENGINE);
    }
  }

  @Nested
  class TableShapesNames extends TableShapesNamesConformance {
    TableShapesNames() {
      super(ENGINE);
    }
  }

  @Nested
  class TableShapesKeys extends TableShapesKeysConformance {
    TableShapesKeys() {
      super(ENGINE);
    }
  }

  @Nested
  class TableShapesValues extends TableShapesValuesConformance {
    TableShapesValues() {
      super(ENGINE);
    }
  }

  @Nested
  class CallerRace extends CallerRaceConformance {
    CallerRace() {
      super(ENGINE);
    }
  }

  @Nested
  class Snapshot extends SnapshotConformance {
    Snapshot() {
      super(ENGINE);
    }
  }

  @Nested
  class WaitBound extends WaitBoundConformance {
    WaitBound() {
      super(ENGINE);
    }
  }

  @Nested
  class TableShapesEdges extends TableShapesEdgesConformance {
    TableShapesEdges() {
      super(ENGINE);
    }
  }

  @Nested
  class TableShapesSecondKey extends TableShapesSecondKeyConformance {
    TableShapesSecondKey() {
      super(ENGINE);
    }
  }

  @Nested
  class TableShapesPlans extends TableShapesPlansConformance {
    TableShapesPlans() {
      super(ENGINE);
    }
  }

  @Nested
  class OperationsTableVerify extends OperationsTableVerifyConformance {
    OperationsTableVerify() {
      super(ENGINE);
    }
  }

  @Nested
  class KeyNamespaces extends KeyNamespacesConformance {
    KeyNamespaces() {
      super(ENGINE);
    }
  }

  @Nested
  class MessageSecrecy extends MessageSecrecyConformance {
    MessageSecrecy() {
      super(ENGINE);
    }
  }

  @Nested
  class ErrorKinds extends ErrorKindsConformance {
    ErrorKinds() {
      super(ENGINE);
    }
  }

  @Nested
  class PoolState extends PoolStateConformance {
    PoolState() {
      super(ENGINE);
    }
  }

  @Nested
  class BodyConnection extends BodyConnectionConformance {
    BodyConnection() {
      super(ENGINE);
    }
  }

  @Nested
  class NestedCalls extends NestedCallsConformance {
    NestedCalls() {
      super(ENGINE);
    }
  }

  @Nested
  class Fault extends FaultConformance {
    Fault() {
      super(ENGINE);
    }
  }

  @Nested
  class AmbientTransactions extends AmbientTransactionsConformance {
    AmbientTransactions() {
      super(ENGINE);
    }
  }

  @Nested
  class TransactionEscapes extends TransactionEscapesConformance {
    TransactionEscapes() {
      super(ENGINE);
    }
  }

  @Nested
  class Lease extends LeaseConformance {
    Lease() {
      super(ENGINE);
    }
  }

  @Nested
  class TransactionRunner extends TransactionRunnerConformance {
    TransactionRunner() {
      super(ENGINE);
    }
  }

  @Nested
  class LeaseFault extends LeaseFaultConformance {
    LeaseFault() {
      super(ENGINE);
    }
  }

  @Nested
  class FailurePolicy extends FailurePolicyConformance {
    FailurePolicy() {
      super(ENGINE);
    }
  }

  @Nested
  class KeyAdmin extends KeyAdminConformance {
    KeyAdmin() {
      super(ENGINE);
    }
  }

  @Nested
  class ReadBeforeClaim extends ReadBeforeClaimConformance {
    ReadBeforeClaim() {
      super(ENGINE);
    }
  }
}
