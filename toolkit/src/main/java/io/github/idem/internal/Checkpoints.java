package io.github.idem.internal;

import io.github.idem.api.InvalidValuesException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The recovery points of a leased operation, in the order they were first recorded, and their
 * stored form: the result column holds them while the record is RUNNING. Not thread-safe.
 */
public final class Checkpoints {
  /** Longest checkpoint name, in characters. */
  public static final int MAX_NAME_LENGTH = 64;

  /** Most bytes of data one checkpoint holds. */
  public static final int MAX_DATA_BYTES = 16 * 1024;

  /** Most bytes all of an operation's checkpoints hold together, names included. */
  public static final int MAX_TOTAL_BYTES = 64 * 1024;

  // "IDCP": tells recovery points from anything else a RUNNING record's result column could hold.
  private static final int MAGIC = 0x49444350;

  private final Map<String, byte[]> points;

  private Checkpoints(Map<String, byte[]> points) {
    this.points = points;
  }

  /** Returns an empty journal. */
  public static Checkpoints empty() {
    return new Checkpoints(new LinkedHashMap<>());
  }

  /**
   * Reads a stored journal.
   *
   * @param stored the result column of a RUNNING leased record, or null
   * @return the journal; empty for null or for bytes that are not a journal
   */
  public static Checkpoints decode(byte @Nullable [] stored) {
    Map<String, byte[]> points = new LinkedHashMap<>();
    if (stored == null || stored.length < 8) {
      return new Checkpoints(points);
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
      if (in.readInt() != MAGIC) {
        return new Checkpoints(points);
      }
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        points.put(name, data);
      }
    } catch (IOException e) {
      // A truncated journal keeps what could be read: resuming earlier is safe, later is not.
      return new Checkpoints(points);
    }
    return new Checkpoints(points);
  }

  /** Returns the stored form. */
  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(points.size());
      for (Map.Entry<String, byte[]> point : points.entrySet()) {
        out.writeUTF(point.getKey());
        out.writeInt(point.getValue().length);
        out.write(point.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Returns the journal with one more checkpoint, or a replaced one under the same name, after
   * checking the name and the sizes; this journal is unchanged.
   *
   * @param subject the operation, for messages
   * @param name the checkpoint's name
   * @param data its data
   * @return the new journal
   * @throws InvalidValuesException when the name or the sizes are out of bounds
   */
  public Checkpoints with(String subject, @Nullable String name, byte @Nullable [] data) {
    String checked = name(subject, name);
    if (data == null) {
      throw new InvalidValuesException(
          subject + ": checkpoint data is null; pass an empty array for a checkpoint without data");
    }
    if (data.length > MAX_DATA_BYTES) {
      throw new InvalidValuesException(
          subject
              + ": checkpoint data has "
              + data.length
              + " bytes, more than "
              + MAX_DATA_BYTES
              + "; store large data in a table of your own, written in the checkpoint's"
              + " transaction, and record its id");
    }
    Map<String, byte[]> next = new LinkedHashMap<>(points);
    // Re-recording a phase moves it to the end: last() is the phase recorded most recently.
    next.remove(checked);
    next.put(checked, data.clone());
    Checkpoints journal = new Checkpoints(next);
    int size = journal.encode().length;
    if (size > MAX_TOTAL_BYTES) {
      throw new InvalidValuesException(
          subject
              + ": the operation's checkpoints would hold "
              + size
              + " bytes, more than "
              + MAX_TOTAL_BYTES
              + "; keep checkpoint data small (ids, references), the rest in your own tables");
    }
    return journal;
  }

  private static String name(String subject, @Nullable String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidValuesException(
          subject + ": checkpoint name is null or blank; name the phase, e.g. \"charged\"");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw new InvalidValuesException(
          subject
              + ": checkpoint name has "
              + name.length()
              + " characters, more than "
              + MAX_NAME_LENGTH
              + "; use a short phase name");
    }
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (Character.isISOControl(ch) || Character.isSurrogate(ch)) {
        throw new InvalidValuesException(
            subject
                + ": checkpoint name has a control or surrogate character at index "
                + i
                + "; use printable characters");
      }
    }
    return name;
  }

  /**
   * Returns a checkpoint's data.
   *
   * @param name the name
   * @return a copy of the data, or null when no such checkpoint was recorded
   */
  public byte @Nullable [] data(String name) {
    byte[] data = points.get(name);
    return data == null ? null : data.clone();
  }

  /** Returns the names, in the order they were last recorded. */
  public List<String> names() {
    return List.copyOf(new ArrayList<>(points.keySet()));
  }

  /** Returns the name of the checkpoint recorded most recently, or null. */
  public @Nullable String last() {
    String last = null;
    for (String name : points.keySet()) {
      last = name;
    }
    return last;
  }
}
