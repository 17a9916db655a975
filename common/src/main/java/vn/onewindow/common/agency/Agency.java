package vn.onewindow.common.agency;

import java.time.LocalDate;
import java.util.Objects;

/**
 * One entry of the agency directory. {@code validTo} is exclusive: it is the first day the code is no longer
 * accepted (a province merged on 2025-07-01 has {@code validTo = 2025-07-01}), so a dossier received on
 * 30 June still resolves under the old code.
 *
 * @param parent    code of the parent agency, or null for a top-level unit
 * @param validTo   first day the code is closed, or null while it is open
 * @param successor code that replaces a closed one, or null while it is open
 * @param source    the decision or standard the entry rests on
 * @param verified  whether code, name and history were checked against an official source
 */
public record Agency(String code, String name, AgencyLevel level, String parent, LocalDate validFrom,
                     LocalDate validTo, String successor, String source, boolean verified) {

  public Agency {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(validFrom, "validFrom");
  }

  public boolean isValidOn(LocalDate day) {
    return !day.isBefore(validFrom) && (validTo == null || day.isBefore(validTo));
  }

  public boolean isClosed() {
    return validTo != null;
  }
}
