package vn.onewindow.common.agency;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vn.onewindow.common.config.ConfigException;

/** Cross-entry rules: a directory that breaks one must not start the gateway. */
final class AgencyChecks {

  private AgencyChecks() {
  }

  /** Returns the entries by code, in file order, once every rule holds. */
  static Map<String, Agency> byCode(String source, List<Agency> agencies) {
    Map<String, Agency> byCode = new LinkedHashMap<>();
    for (Agency agency : agencies) {
      if (byCode.putIfAbsent(agency.code(), agency) != null) {
        throw new ConfigException(where(source, agency) + ": duplicate code");
      }
    }
    for (Agency agency : agencies) {
      check(source, agency, byCode);
    }
    return byCode;
  }

  private static void check(String source, Agency agency, Map<String, Agency> byCode) {
    String where = where(source, agency);
    if (!AgencyCode.isWellFormed(agency.code())) {
      throw new ConfigException(where + ": code must look like 000.00.53.H48 (QCVN 102:2016)");
    }
    if (agency.parent() != null && !byCode.containsKey(agency.parent())) {
      throw new ConfigException(where + ": parent '" + agency.parent() + "' is not in the directory");
    }
    if (agency.validTo() != null && !agency.validTo().isAfter(agency.validFrom())) {
      throw new ConfigException(where + ": validTo " + agency.validTo() + " must be after validFrom " + agency.validFrom());
    }
    if (agency.isClosed() && agency.successor() == null) {
      throw new ConfigException(where + ": closed on " + agency.validTo()
          + " without a successor; dossiers sent to it could not be redirected");
    }
    if (!agency.isClosed() && agency.successor() != null) {
      throw new ConfigException(where + ": has successor '" + agency.successor() + "' but no validTo");
    }
    if (agency.successor() != null) {
      checkSuccession(where, agency, byCode);
    }
  }

  /** The successor must exist when the code closes, and following successors must end at an open code. */
  private static void checkSuccession(String where, Agency agency, Map<String, Agency> byCode) {
    Agency next = byCode.get(agency.successor());
    if (next == null) {
      throw new ConfigException(where + ": successor '" + agency.successor() + "' is not in the directory");
    }
    if (next.validFrom().isAfter(agency.validTo())) {
      throw new ConfigException(where + ": successor '" + next.code() + "' only starts on " + next.validFrom()
          + ", after this code closes on " + agency.validTo());
    }
    Set<String> seen = new HashSet<>(Set.of(agency.code()));
    while (next.isClosed()) {
      if (!seen.add(next.code()) || next.successor() == null || !byCode.containsKey(next.successor())) {
        throw new ConfigException(where + ": successor chain through '" + next.code()
            + "' never reaches an open code");
      }
      next = byCode.get(next.successor());
    }
  }

  private static String where(String source, Agency agency) {
    return "agency directory " + source + " entry '" + agency.code() + "'";
  }
}
