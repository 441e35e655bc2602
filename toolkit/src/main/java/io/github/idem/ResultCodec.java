package io.github.idem;

import io.github.idem.api.InvalidConfigurationException;
import io.github.idem.api.ResultDecodingException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Turns an operation's result into the bytes Idem stores, and back for a replay. Supplied by the
 * caller, so no serialization library is forced on anyone. Implementations must be thread-safe.
 *
 * <pre>{@code
 * ResultCodec<Receipt> json = ResultCodec.of(
 *     receipt -> mapper.writeValueAsBytes(receipt),
 *     bytes -> mapper.readValue(bytes, Receipt.class));
 * }</pre>
 *
 * @param <R> the result type
 */
public interface ResultCodec<R> {

  /**
   * Encodes a result.
   *
   * @param value the body's result, possibly null
   * @return the bytes to store, or null to store NULL
   * @throws Exception when the value cannot be encoded; the operation then fails and rolls back
   */
  byte @Nullable [] encode(@Nullable R value) throws Exception;

  /**
   * Decodes a stored result.
   *
   * @param bytes the stored bytes, or null for NULL
   * @return the result
   * @throws Exception when the bytes cannot be decoded; reported as {@link ResultDecodingException}
   */
  @Nullable R decode(byte @Nullable [] bytes) throws Exception;

  /**
   * An encoder step for {@link #of}.
   *
   * @param <R> the result type
   */
  interface Encoder<R> {
    /**
     * Encodes a result.
     *
     * @param value the result, possibly null
     * @return the bytes to store, or null
     * @throws Exception when the value cannot be encoded
     */
    byte @Nullable [] encode(@Nullable R value) throws Exception;
  }

  /**
   * A decoder step for {@link #of}.
   *
   * @param <R> the result type
   */
  interface Decoder<R> {
    /**
     * Decodes a stored result.
     *
     * @param bytes the stored bytes, or null
     * @return the result
     * @throws Exception when the bytes cannot be decoded
     */
    @Nullable R decode(byte @Nullable [] bytes) throws Exception;
  }

  /**
   * Builds a codec from two functions.
   *
   * @param encoder value to bytes
   * @param decoder bytes to value
   * @param <R> the result type
   * @return the codec
   * @throws InvalidConfigurationException when the encoder or the decoder is null
   */
  static <R> ResultCodec<R> of(Encoder<R> encoder, Decoder<R> decoder) {
    if (encoder == null || decoder == null) {
      // Caught here, not at the first execution, where a null would surface as a failed encode.
      throw new InvalidConfigurationException(
          (encoder == null ? "encoder" : "decoder")
              + " is null; pass both functions to ResultCodec.of(encoder, decoder)");
    }
    return new ResultCodec<>() {
      @Override
      public byte @Nullable [] encode(@Nullable R value) throws Exception {
        return encoder.encode(value);
      }

      @Override
      public @Nullable R decode(byte @Nullable [] bytes) throws Exception {
        return decoder.decode(bytes);
      }
    };
  }

  /**
   * Stores bytes as they are.
   *
   * @return the codec
   */
  static ResultCodec<byte[]> bytes() {
    return of(value -> value == null ? null : value.clone(), bytes -> bytes);
  }

  /**
   * Stores a string as UTF-8.
   *
   * @return the codec
   */
  static ResultCodec<String> string() {
    return of(
        value -> value == null ? null : value.getBytes(StandardCharsets.UTF_8),
        bytes -> bytes == null ? null : new String(bytes, StandardCharsets.UTF_8));
  }

  /**
   * Stores nothing: for operations whose replay needs no result.
   *
   * @return the codec
   */
  static ResultCodec<Void> none() {
    return of(value -> null, bytes -> null);
  }
}
