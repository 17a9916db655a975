package vn.onewindow.common.agency;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The agency codes the hub accepts as {@code receivingUnit} and {@code handlingAgency}, with their history:
 * codes closed by the 2025 province mergers stay in the directory so that dossiers received before the merger
 * keep resolving, and later ones are pointed to the successor. Immutable; load once at start.
 */
public final class AgencyDirectory {

  /** {@link #provinceOf} answer for a code outside the directory's provinces, keeping metric labels bounded. */
  public static final String OTHER_PROVINCE = "other";

  private final Map<String, Agency> byCode;
  private final Set<String> provinces;

  private AgencyDirectory(Map<String, Agency> byCode) {
    this.byCode = Map.copyOf(byCode);
    this.provinces = byCode.values().stream()
        .filter(agency -> agency.level() == AgencyLevel.PROVINCE)
        .map(agency -> AgencyCode.lastSegment(agency.code()))
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Reads and validates a directory file; throws {@code ConfigException} naming the bad entry. */
  public static AgencyDirectory load(Path file) {
    return new AgencyDirectory(AgencyChecks.byCode(file.toString(), AgencyFile.read(file)));
  }

  /** Reads a file path, or else a classpath resource such as the shipped {@code config/agencies.json}. */
  public static AgencyDirectory load(String location) {
    return new AgencyDirectory(AgencyChecks.byCode(AgencyFile.named(location), AgencyFile.read(location)));
  }

  /** Builds a directory from entries, checked by the same rules as a file. */
  public static AgencyDirectory of(List<Agency> agencies) {
    return new AgencyDirectory(AgencyChecks.byCode("(in memory)", agencies));
  }

  /** What {@code code} means for a dossier received on {@code receivedOn}. */
  public Resolution resolve(String code, LocalDate receivedOn) {
    Agency agency = byCode.get(code);
    if (agency == null || receivedOn.isBefore(agency.validFrom())) {
      return new Resolution.Unknown(code);
    }
    if (agency.isValidOn(receivedOn)) {
      return new Resolution.Valid(agency);
    }
    Agency successor = byCode.get(agency.successor());
    // A successor may itself have closed since (checked at load: the chain ends at an open code).
    while (!successor.isValidOn(receivedOn) && successor.successor() != null) {
      successor = byCode.get(successor.successor());
    }
    return new Resolution.Closed(agency, successor);
  }

  public Optional<Agency> find(String code) {
    return Optional.ofNullable(byCode.get(code));
  }

  /** Every entry valid on {@code day}, sorted by code: what a load test may draw codes from. */
  public List<Agency> validOn(LocalDate day) {
    return byCode.values().stream().filter(agency -> agency.isValidOn(day))
        .sorted(Comparator.comparing(Agency::code)).toList();
  }

  /**
   * The province segment of a code ({@code H48}) when the directory has that province, else {@link #OTHER_PROVINCE}:
   * a bounded value fit for a metrics tag, whatever a client sends.
   */
  public String provinceOf(String code) {
    if (!AgencyCode.isWellFormed(code)) {
      return OTHER_PROVINCE;
    }
    String segment = AgencyCode.lastSegment(code);
    return provinces.contains(segment) ? segment : OTHER_PROVINCE;
  }

  public int size() {
    return byCode.size();
  }
}
