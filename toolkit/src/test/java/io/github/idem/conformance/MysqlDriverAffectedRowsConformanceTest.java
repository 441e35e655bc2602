package io.github.idem.conformance;

import io.github.idem.testing.Engine;
import org.junit.jupiter.api.Nested;

/**
 * The conformance suite on mysql-driver with useAffectedRows=true: the one-statement ON DUPLICATE
 * KEY UPDATE plan.
 */
class MysqlDriverAffectedRowsConformanceTest {
  static final Engine ENGINE = Engine.MYSQL_DRIVER;

  @Nested
  class Upsert extends UpsertConformance {
    Upsert() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class InsertIfAbsent extends InsertIfAbsentConformance {
    InsertIfAbsent() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class Batch extends BatchConformance {
    Batch() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class Concurrency extends ConcurrencyConformance {
    Concurrency() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class CallerTransaction extends CallerTransactionConformance {
    CallerTransaction() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class GuardedOperation extends GuardedOperationConformance {
    GuardedOperation() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class GuardedInsert extends GuardedInsertConformance {
    GuardedInsert() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class Retention extends RetentionConformance {
    Retention() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class IdempotentConsumer extends IdempotentConsumerConformance {
    IdempotentConsumer() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class RoundTrip extends RoundTripConformance {
    RoundTrip() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class TableShapesNames extends TableShapesNamesConformance {
    TableShapesNames() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class TableShapesKeys extends TableShapesKeysConformance {
    TableShapesKeys() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class TableShapesValues extends TableShapesValuesConformance {
    TableShapesValues() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class CallerRace extends CallerRaceConformance {
    CallerRace() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class Snapshot extends SnapshotConformance {
    Snapshot() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class WaitBound extends WaitBoundConformance {
    WaitBound() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class TableShapesEdges extends TableShapesEdgesConformance {
    TableShapesEdges() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class TableShapesSecondKey extends TableShapesSecondKeyConformance {
    TableShapesSecondKey() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class TableShapesPlans extends TableShapesPlansConformance {
    TableShapesPlans() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class OperationsTableVerify extends OperationsTableVerifyConformance {
    OperationsTableVerify() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class KeyNamespaces extends KeyNamespacesConformance {
    KeyNamespaces() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class MessageSecrecy extends MessageSecrecyConformance {
    MessageSecrecy() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class BadInput extends BadInputConformance {
    BadInput() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class ErrorKinds extends ErrorKindsConformance {
    ErrorKinds() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class PoolState extends PoolStateConformance {
    PoolState() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class BodyConnection extends BodyConnectionConformance {
    BodyConnection() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class NestedCalls extends NestedCallsConformance {
    NestedCalls() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class Fault extends FaultConformance {
    Fault() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
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

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class Lease extends LeaseConformance {
    Lease() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class FailurePolicy extends FailurePolicyConformance {
    FailurePolicy() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class KeyAdmin extends KeyAdminConformance {
    KeyAdmin() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class TransactionRunner extends TransactionRunnerConformance {
    TransactionRunner() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class LeaseFault extends LeaseFaultConformance {
    LeaseFault() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }

  @Nested
  class ReadBeforeClaim extends ReadBeforeClaimConformance {
    ReadBeforeClaim() {
      super(ENGINE);
    }

    @Override
    protected String driverProperties() {
      return "useAffectedRows=true";
    }
  }
}
