package vn.onewindow.gateway.validation;

import com.networknt.schema.regex.JDKRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;

/**
 * The schema validator's regular expressions: java.util.regex as before (networknt's default, which matches with {@code
 * find()}), except the schema's most frequent pattern, {@code ^[^\u0000]*$} on every free-text string, which under that
 * engine holds exactly when the string has no NUL: checked with {@code indexOf}, it no longer costs a regex walk over
 * every character of every name, address and form field (the schema's patterns took about a tenth of the gateway's CPU
 * per dossier in a profile, most of it this one). Same pattern in the published schema, same 422s ({@code
 * SchemaPatternsTest} holds them equal).
 */
final class SchemaPatterns implements RegularExpressionFactory {
  static final String NO_NUL = "^[^\\u0000]*$";
  private static final RegularExpression HAS_NO_NUL = value -> value.indexOf('\u0000') < 0;

  @Override
  public RegularExpression getRegularExpression(String regex) {
    return NO_NUL.equals(regex) ? HAS_NO_NUL : JDKRegularExpressionFactory.getInstance().getRegularExpression(regex);
  }
}
