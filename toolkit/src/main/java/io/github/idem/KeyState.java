package io.github.idem;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A key record as {@link OperationKeys} reads it: its status, times, attempt, lease and last
 * checkpoint, never its stored result or fingerprint. Times come from the database's clock.
 * Immutable; {@link #toString()} leaves out the key, which can be personal data.
 *
 * <pre>{@code
 * idem.keys().inspect("payments", key).ifPresent(state -> log.info(state.toString()));
 * }</pre>
 */
public final class KeyState {
  private final String scope;
  private final String key;
  private final KeyStatus status;
  private final Instant createdAt;
  private final Instant expiresAt;
  private final int attempt;
  private final @Nullable Instant leaseUntil;
  private final @Nullable String lastCheckpoint;
  private final boolean fingerprinted;
  private final Instant readAt;

  KeyState(
      String scope,
      String key,
      KeyStatus status,
      Instant createdAt,
      Instant expiresAt,
      int attempt,
      @Nullable Instant leaseUntil,
      @Nullable String lastCheckpoint,
      boolean fingerprinted,
      Instant readAt) {
    this.scope = scope;
    this.key = key;
    this.status = status;
    this.createdAt = createdAt;
    this.expiresAt = expiresAt;
    this.attempt = attempt;
    this.leaseUntil = leaseUntil;
    this.lastCheckpoint = lastCheckpoint;
    this.fingerprinted = fingerprinted;
    this.readAt = readAt;
  }

  /**
   * Returns the operation's scope.
   *
   * @return the scope
   */
  public String scope() {
    return scope;
  }

  /**
   * Returns the key.
   *
   * @return the key
   */
  public String key() {
    return key;
  }

  /**
   * Returns the status.
   *
   * @return the status
   */
  public KeyStatus status() {
    return status;
  }

  /**
   * Returns when the key's current run was claimed: its first claim, or the new run that followed a
   * recorded failure under {@link FailurePolicy#ALLOW_RETRY}.
   *
   * @return the time, millisecond precision
   */
  public Instant createdAt() {
    return createdAt;
  }

  /**
   * Returns when the record may be purged: the retention counted from the claim, or, for a leased
   * operation that completed or failed, from its completion.
   *
   * @return the time, millisecond precision
   */
  public Instant expiresAt() {
    return expiresAt;
  }

  /**
   * Returns the attempt number, the fencing token of the attempt that holds or last held the key.
   *
   * @return the attempt, 1 or more
   */
  public int attempt() {
    return attempt;
  }

  /**
   * Returns when the holder's lease ends or ended.
   *
   * @return the time, or empty when the record has no lease (completed, failed, or claimed in a
   *     transaction)
   */
  public Optional<Instant> leaseUntil() {
    return Optional.ofNullable(leaseUntil);
  }

  /**
   * Tells whether the record is RUNNING under a lease, live or passed.
   *
   * @return {@code true} for a leased record that has not completed
   */
  public boolean leased() {
    return status == KeyStatus.RUNNING && leaseUntil != null;
  }

  /**
   * Tells whether the record is RUNNING under a lease that has passed at the time of the read: the
   * next execution takes it over.
   *
   * @return {@code true} for an expired lease
   */
  public boolean leaseExpired() {
    return leased() && leaseUntil != null && !leaseUntil.isAfter(readAt);
  }

  /**
   * Returns the checkpoint a leased operation recorded most recently.
   *
   * @return its name, or empty when none was recorded or the record is not RUNNING
   */
  public Optional<String> lastCheckpoint() {
    return Optional.ofNullable(lastCheckpoint);
  }

  /**
   * Tells whether a request fingerprint is stored; the fingerprint itself is never shown.
   *
   * @return {@code true} when the key was claimed with a request
   */
  public boolean fingerprinted() {
    return fingerprinted;
  }

  /**
   * Returns the age of the record at the time of the read.
   *
   * @return the time since the key was first claimed, on the database's clock
   */
  public Duration age() {
    return Duration.between(createdAt, readAt);
  }

  /**
   * Returns the database's clock at the time of the read.
   *
   * @return the time, millisecond precision
   */
  public Instant readAt() {
    return readAt;
  }

  @Override
  public String toString() {
    return "KeyState[scope="
        + scope
        + ", status="
        + status
        + ", attempt="
        + attempt
        + ", createdAt="
        + createdAt
        + ", expiresAt="
        + expiresAt
        + ", leaseUntil="
        + leaseUntil
        + ", lastCheckpoint="
        + lastCheckpoint
        + ", fingerprinted="
        + fingerprinted
        + ", age="
        + age()
        + "]";
  }
}
