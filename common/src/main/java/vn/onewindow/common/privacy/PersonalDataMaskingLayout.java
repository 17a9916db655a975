package vn.onewindow.common.privacy;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The text-format twin of {@link PersonalDataMasker}: a pattern layout whose every line (message, arguments, MDC,
 * exception text) goes through {@link PersonalData#maskFreeText} before it is written, so {@code log.format=text}
 * masks exactly what the JSON encoder masks.
 */
public final class PersonalDataMaskingLayout extends PatternLayout {
  @Override
  public String doLayout(ILoggingEvent event) {
    String line = super.doLayout(event);
    return PersonalData.containsIdOrPhone(line) ? PersonalData.maskFreeText(line) : line;
  }
}
