package io.github.idem.conformance;

import io.github.idem.testing.Engine;
import org.junit.jupiter.api.Nested;

/**
 * Every capability's conformance tests, as nested classes an engine's suite inherits: a subclass
 * names the engine (and optionally driver properties) and runs them all. Report names carry the
 * engine, e.g. {@code PostgresqlConformanceTest$Upsert}.
 */
abstract class EngineSuite {

  /** The engine every nested test runs on. */
  abstract Engine engine();

  /** Driver properties appended to the engine's URL, or {@code null} for the driver defaults. */
  String driverProperties() {
    return null;
  }

  @Nested
  class Upsert extends UpsertConformance {
    Upsert() {
      super(EngineSuite.this.engine());
    }

    @Override
    protected String driverProperties() {
      return EngineSuite.this.driverProperties();
    }
  }

  @Nested
  class InsertIfAbsent extends InsertIfAbsentConformance {
    InsertIfAbsent() {
      super(EngineSuite.this.engine());
    }

    @Override
    protected String driverProperties() {
      return EngineSuite.this.driverProperties();
    }
  }

  @Nested
  class Batch extends BatchConformance {
    Batch() {
      super(EngineSuite.this.engine());
    }

    @Override
    protected String driverProperties() {
      return EngineSuite.this.driverProperties();
    }
  }

  @Nested
  class Concurrency extends ConcurrencyConformance {
    Concurrency() {
      super(EngineSuite.this.engine());
    }

    @Override
    protected String driverProperties() {
      return EngineSuite.this.driverProperties();
    }
  }

  @Nested
  class CallerTransaction extends CallerTransactionConformance {
    CallerTransaction() {
      super(EngineSuite.this.engine());
    }

    @Override
    protected String driverProperties() {
      return EngineSuite.this.driverProperties();
    }
  }

  @Nested
  class BadInput extends BadInputConformance {
    BadInput() {
      super(EngineSuite.this.engine());
    }

    @Override
    protected String driverProperties() {
      return EngineSuite.this.driverProperties();
    }
  }

  @Nested
  class Classifier extends ClassifierConformance {
    Classifier() {
      super(EngineSuite.this.engine());
    }

    @Override
    protected String driverProperties() {
      return EngineSuite.this.driverProperties();
    }
  }

  @Nested
  class GuardedOperation extends GuardedOperationConformance {
    GuardedOperation() {
      super(EngineSuite.this.engine());
    }

    @Override
    protected String driverProperties() {
      return EngineSuite.this.driverProperties();
    }
  }

  @Nested
  class Retention extends RetentionConformance {
    Retention() {
      super(EngineSuite.this.engine());
    }

    @Override
    protected String driverProperties() {
      return EngineSuite.this.driverProperties();
    }
  }

  @Nested
  class ConsumerDedupe extends ConsumerDedupeConformance {
    ConsumerDedupe() {
      super(EngineSuite.this.engine());
    }

    @Override
    protected String driverProperties() {
      return EngineSuite.this.driverProperties();
    }
  }

  @Nested
  class RoundTrip extends RoundTripConformance {
    RoundTrip() {
      super(EngineSuite.this.engine());
    }

    @Override
    protected String driverProperties() {
      return EngineSuite.this.driverProperties();
    }
  }
}
