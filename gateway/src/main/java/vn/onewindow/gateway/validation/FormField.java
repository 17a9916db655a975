package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One field of a procedure's form ({@code formData}) and its type, from the catalogue's {@code fields}. A type is
 * resolved once, when the catalogue loads ({@link FieldTypeParser}): its limits, codes and messages are ready, so
 * checking a value on the submission path ({@link FieldTypes}) is a few comparisons, with nothing parsed by exception
 * and nothing allocated unless it is wrong.
 *
 * @param required listed in the procedure's {@code requiredFields}; an optional field is checked when it is given
 */
public record FormField(String name, boolean required, Type type) {

  /** What a field's value must be. Immutable, shared by every request. */
  public interface Type {
    /** As the catalogue and the catalogue endpoint write it: any, text, date, integer, decimal, boolean, enum. */
    String name();

    /** The type's limits as the catalogue endpoint shows them (maxLength, notFuture, minimum, maximum, values). */
    Map<String, Object> attributes();

    /**
     * Null when {@code value} (neither null nor missing) is of this type, else what is wrong, worded as the schema's
     * 422 entries are ({@link SchemaWording}).
     *
     * @param receivedOn the day of receipt as yyyyMMdd in an int ({@link #day}), for dates that may not be later
     */
    String check(JsonNode value, int receivedOn);
  }

  /** A field without a type (a catalogue written before types, or a field left untyped): any non-empty value. */
  public static final Type ANY = new Type() {
    @Override
    public String name() {
      return "any";
    }

    @Override
    public Map<String, Object> attributes() {
      return Map.of();
    }

    @Override
    public String check(JsonNode value, int receivedOn) {
      return null;
    }
  };

  /** A date as yyyyMMdd in an int: ordered as the dates are, compared without objects. */
  static int day(int year, int month, int dayOfMonth) {
    return year * 10_000 + month * 100 + dayOfMonth;
  }
}
