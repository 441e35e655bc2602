package io.github.idem.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;

/** Request fingerprints: SHA-256 of the bytes the caller says identify a request. */
public final class Fingerprints {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Fingerprints() {}

  /** SHA-256 of the request, as lower-case hex; null for no request. */
  public static @Nullable String of(byte @Nullable [] request) {
    if (request == null) {
      return null;
    }
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
    byte[] hash = digest.digest(request);
    char[] out = new char[hash.length * 2];
    for (int i = 0; i < hash.length; i++) {
      out[2 * i] = HEX[(hash[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[hash[i] & 0xF];
    }
    return new String(out);
  }

  /** The UTF-8 bytes of a request text, or null. */
  public static byte @Nullable [] utf8(@Nullable String request) {
    return request == null ? null : request.getBytes(StandardCharsets.UTF_8);
  }
}
