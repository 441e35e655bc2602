package io.github.idem;

import io.github.idem.internal.EventSink;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

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
  public void executed(String scope, String key) {
    for (IdemListener listener : listeners) {
      try {
        listener.executed(scope, key);
      } catch (RuntimeException e) {
        ignored(e);
      }
    }
  }

  @Override
  public void replayed(String scope, String key) {
    for (IdemListener listener : listeners) {
      try {
        listener.replayed(scope, key);
      } catch (RuntimeException e) {
        ignored(e);
      }
    }
  }

  @Override
  public void waited(String scope, String key, long waitedNanos) {
    Duration waited = Duration.ofNanos(waitedNanos);
    for (IdemListener listener : listeners) {
      try {
        listener.waited(scope, key, waited);
      } catch (RuntimeException e) {
        ignored(e);
      }
    }
  }

  @Override
  public void inProgress(String scope, String key, long waitedNanos) {
    Duration waited = Duration.ofNanos(waitedNanos);
    for (IdemListener listener : listeners) {
      try {
        listener.inProgress(scope, key, waited);
      } catch (RuntimeException e) {
        ignored(e);
      }
    }
  }

  @Override
  public void keyReused(String scope, String key) {
    for (IdemListener listener : listeners) {
      try {
        listener.keyReused(scope, key);
      } catch (RuntimeException e) {
        ignored(e);
      }
    }
  }

  @Override
  public void purged(int rows) {
    for (IdemListener listener : listeners) {
      try {
        listener.purged(rows);
      } catch (RuntimeException e) {
        ignored(e);
      }
    }
  }

  private static void ignored(RuntimeException e) {
    LOG.log(Level.WARNING, "IdemListener threw; ignored", e);
  }
}
