package vn.onewindow.common.privacy;

import com.fasterxml.jackson.core.JsonStreamContext;
import net.logstash.logback.mask.ValueMasker;

/**
 * Logback safety net: a logstash-logback-encoder value masker that runs {@link PersonalData#maskFreeText} over every
 * string the JSON log encoder writes (message, exception text, MDC, arguments). Enabled in logback.xml with
 * <pre>{@code
 * <encoder class="net.logstash.logback.encoder.LogstashEncoder">
 *   <jsonGeneratorDecorator class="net.logstash.logback.mask.MaskingJsonGeneratorDecorator">
 *     <valueMasker class="vn.onewindow.common.privacy.PersonalDataMasker"/>
 *   </jsonGeneratorDecorator>
 * </encoder>
 * }</pre>
 */
public final class PersonalDataMasker implements ValueMasker {
  @Override
  public Object mask(JsonStreamContext context, Object value) {
    if (value instanceof CharSequence text && PersonalData.containsIdOrPhone(text.toString())) {
      return PersonalData.maskFreeText(text.toString());
    }
    return null;
  }
}
