package io.github.idem.internal;

import io.github.idem.api.OperationFailedException;
import io.github.idem.api.ResultDecodingException;
import io.github.idem.api.ResultEncodingException;
import org.jspecify.annotations.Nullable;

/**
 * Which failures of an operation's body are terminal, how they are stored, and what later
 * executions of the key do: replay the failure, run again, or refuse. Immutable and thread-safe.
 */
public final class TerminalFailures {
  /** The policy, spelled here so that internal code need not see the public enum's package. */
  public enum Policy {
    /** Throw the stored failure again. */
    REPLAY,
    /** Run the body again as a new attempt. */
    ALLOW_RETRY,
    /** Refuse with {@link OperationFailedException}. */
    REJECT
  }

  /** Encodes and decodes one exception type. */
  public interface Codec {
    /**
     * Encodes a failure of the declared type.
     *
     * @param failure the failure
     * @return the bytes to store
     * @throws Exception when it cannot be encoded
     */
    byte @Nullable [] encode(Throwable failure) throws Exception;

    /**
     * Decodes a stored failure.
     *
     * @param bytes the stored bytes
     * @return the failure to throw
     * @throws Exception when the bytes cannot be decoded
     */
    @Nullable Throwable decode(byte @Nullable [] bytes) throws Exception;
  }

  /** No failure is terminal: every body exception records nothing. */
  public static final TerminalFailures NONE = new TerminalFailures(null, null, Policy.REJECT);

  private final @Nullable Class<? extends Throwable> type;
  private final @Nullable Codec codec;
  private final Policy policy;

  /**
   * Declares the failures of one type terminal.
   *
   * @param type the exception type; subclasses count too
   * @param codec stores and restores them
   * @param policy what later executions do
   */
  public TerminalFailures(
      @Nullable Class<? extends Throwable> type, @Nullable Codec codec, Policy policy) {
    this.type = type;
    this.codec = codec;
    this.policy = policy;
  }

  /** Returns the policy. */
  public Policy policy() {
    return policy;
  }

  /** Tells whether any failure is declared terminal. */
  public boolean declared() {
    return type != null;
  }

  /** Tells whether a body's failure is terminal. */
  public boolean terminal(Throwable failure) {
    return type != null && type.isInstance(failure);
  }

  /**
   * Encodes a terminal failure for storage.
   *
   * @throws ResultEncodingException when the codec fails; nothing is recorded
   */
  public byte @Nullable [] encode(String subject, String key, Throwable failure) {
    try {
      return requireCodec().encode(failure);
    } catch (Exception e) {
      ResultEncodingException encoding =
          new ResultEncodingException(
              KeyRecord.prefix(subject)
                  + "the failure codec could not encode the body's terminal failure ("
                  + e.getClass().getName()
                  + ", see the cause); nothing was recorded and the body's failure is suppressed"
                  + " on this exception",
              key,
              e);
      encoding.addSuppressed(failure);
      throw encoding;
    }
  }

  /**
   * Returns what a later execution throws for a stored failure under the policy REPLAY or REJECT.
   *
   * @param subject the operation, for messages
   * @param key the key
   * @param stored the stored failure
   * @return the failure to throw
   */
  public Throwable replay(String subject, String key, byte @Nullable [] stored) {
    if (policy != Policy.REPLAY || type == null) {
      return rejected(subject, key);
    }
    Throwable decoded;
    try {
      decoded = requireCodec().decode(stored);
    } catch (Exception e) {
      return new ResultDecodingException(
          KeyRecord.prefix(subject)
              + "the stored terminal failure could not be decoded ("
              + e.getClass().getName()
              + ", see the cause); the operation is not re-run. Did the failure codec change?",
          key,
          e);
    }
    if (decoded == null || !type.isInstance(decoded)) {
      return new ResultDecodingException(
          KeyRecord.prefix(subject)
              + "the failure codec decoded a stored terminal failure as "
              + (decoded == null ? "null" : decoded.getClass().getName())
              + ", not as "
              + type.getName()
              + "; the operation is not re-run. Fix the failure codec",
          key);
    }
    return decoded;
  }

  /** The failure of a later execution of a key whose failure is recorded and not replayed. */
  public static OperationFailedException rejected(String subject, String key) {
    return new OperationFailedException(
        KeyRecord.prefix(subject)
            + "the key's execution ended in a terminal failure that was recorded, and later"
            + " executions of this key are refused (failure policy REJECT, or no terminal failure"
            + " declared on this operation); the body did not run. Use a new key for a new attempt",
        key);
  }

  private Codec requireCodec() {
    if (codec == null) {
      throw new IllegalStateException("no failure codec");
    }
    return codec;
  }
}
