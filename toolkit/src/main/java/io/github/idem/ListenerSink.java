package io.github.idem;

import io.github.idem.api.ErrorKind;
import io.github.idem.api.Outcome;
import io.github.idem.internal.EventSink;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Delivers events to the registered listeners in registration order; one listener's exception is
 * logged and ignored, and the others still hear the event. With no listener Idem uses {@link
 * EventSink#NONE} instead, so events cost nothing. Thread-safe.
 */
final class ListenerSink implements EventSink {
  private static final System.Logger LOG = System.getLogger(Idem.class.getName());

  private final IdemListener[] listeners;

  private ListenerSink(List<IdemListener> listeners) {
    this.listeners = listeners.toArray(new IdemListener[0]);
  }

  static EventSink of(List<IdemListener> listeners) {
    return listeners.isEmpty() ? EventSink.NONE : new ListenerSink(listeners);
  }

  @Override
  public void executed(String scope, String key, long elapsedNanos) {
    Duration elapsed = Duration.ofNanos(elapsedNanos);
    each(listener -> listener.executed(scope, key, elapsed));
  }

  @Override
  public void replayed(String scope, String key, long elapsedNanos) {
    Duration elapsed = Duration.ofNanos(elapsedNanos);
    each(listener -> listener.replayed(scope, key, elapsed));
  }

  @Override
  public void waited(String scope, String key, long waitedNanos) {
    Duration waited = Duration.ofNanos(waitedNanos);
    each(listener -> listener.waited(scope, key, waited));
  }

  @Override
  public void inProgress(String scope, String key, long waitedNanos) {
    Duration waited = Duration.ofNanos(waitedNanos);
    each(listener -> listener.inProgress(scope, key, waited));
  }

  @Override
  public void keyReused(String scope, String key, long elapsedNanos) {
    Duration elapsed = Duration.ofNanos(elapsedNanos);
    each(listener -> listener.keyReused(scope, key, elapsed));
  }

  @Override
  public void failed(String scope, String key, String cause, long elapsedNanos) {
    Duration elapsed = Duration.ofNanos(elapsedNanos);
    each(listener -> listener.failed(scope, key, cause, elapsed));
  }

  @Override
  public void retried(String subject, int attempt, ErrorKind kind) {
    each(listener -> listener.retried(subject, attempt, kind));
  }

  @Override
  public void statement(String table, boolean batch, List<Outcome> outcomes, long elapsedNanos) {
    Duration elapsed = Duration.ofNanos(elapsedNanos);
    each(listener -> listener.statement(table, batch, outcomes, elapsed));
  }

  @Override
  public void purged(int rows) {
    each(listener -> listener.purged(rows));
  }

  @Override
  public void leaseTakenOver(String scope, String key, int attempt) {
    each(listener -> listener.leaseTakenOver(scope, key, attempt));
  }

  @Override
  public void released(String scope, String key, int attempt) {
    each(listener -> listener.released(scope, key, attempt));
  }

  private void each(Consumer<IdemListener> event) {
    for (IdemListener listener : listeners) {
      try {
        event.accept(listener);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "IdemListener threw; ignored", e);
      }
    }
  }
}
