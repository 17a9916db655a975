package vn.onewindow.common.calendar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import vn.onewindow.common.calendar.CalendarNotCoveredException.Years;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.infra.Digests;

/**
 * The official working-day calendar of public agencies for a fixed range of years, read from
 * {@code <dir>/<year>.yaml} and {@code <dir>/recurring.yaml} (format: README.md, "Procedures, the official calendar and due dates").
 *
 * <p>A day is a working day when it is Monday–Friday and no off-day entry covers it, or when a
 * swap_workday entry covers it. Immutable and thread-safe. Asking about a day outside the loaded years is
 * a {@link CalendarNotCoveredException}: guessing would give citizens a wrong due date.
 */
public final class OfficialCalendar {
  private final int firstYear;
  private final int lastYear;
  private final Map<LocalDate, CalendarEntry> byDate;
  private final SortedSet<Integer> provisionalYears;
  private final String version;

  private OfficialCalendar(int firstYear, int lastYear, Map<LocalDate, CalendarEntry> byDate,
                           Set<Integer> provisionalYears, String version) {
    this.firstYear = firstYear;
    this.lastYear = lastYear;
    this.byDate = Map.copyOf(byDate);
    this.provisionalYears = Collections.unmodifiableSortedSet(new TreeSet<>(provisionalYears));
    this.version = version;
  }

  /**
   * Loads and validates the years {@code firstYear..lastYear}; each needs its file. Make {@code lastYear}
   * one beyond the last year in which dossiers are received, so late-December due dates can be computed.
   *
   * @throws ConfigException naming the folder and its key (calendar.dir), then the file, date and entry name of the
   *     first problem found
   */
  public static OfficialCalendar load(Path dir, int firstYear, int lastYear) {
    try {
      return read(dir, firstYear, lastYear);
    } catch (ConfigException e) {
      throw new ConfigException("official calendar '" + dir + "' (" + Settings.knob("calendar.dir") + "): "
          + e.getMessage());
    }
  }

  private static OfficialCalendar read(Path dir, int firstYear, int lastYear) {
    if (firstYear > lastYear) {
      throw new ConfigException("first year " + firstYear + " is after last year " + lastYear);
    }
    ByteArrayOutputStream loaded = new ByteArrayOutputStream();
    List<RecurringHoliday> rules =
        CalendarFiles.recurring(CalendarFiles.RECURRING, read(dir, CalendarFiles.RECURRING, loaded));
    List<CalendarEntry> entries = new ArrayList<>();
    Set<Integer> provisional = new TreeSet<>();
    for (int year = firstYear; year <= lastYear; year++) {
      String name = year + ".yaml";
      YearFile file = CalendarFiles.year(name, year, read(dir, name, loaded));
      entries.addAll(file.entries());
      if (file.provisional()) {
        provisional.add(year);
      }
      for (RecurringHoliday rule : rules) {
        rule.in(year).ifPresent(entries::add);
      }
    }
    String version = "vn-" + firstYear + "-" + lastYear + "@" + Digests.sha256Hex(loaded.toByteArray()).substring(0, 12);
    return new OfficialCalendar(firstYear, lastYear, index(entries), provisional, version);
  }

  private static byte[] resource(Path path) throws IOException {
    String name = path.toString().replace('\\', '/');
    try (InputStream in = OfficialCalendar.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new NoSuchFileException(name);
      }
      return in.readAllBytes();
    }
  }

  /** One entry per date: two entries touching the same date are an error, whatever their kinds. */
  private static Map<LocalDate, CalendarEntry> index(List<CalendarEntry> entries) {
    Map<LocalDate, CalendarEntry> byDate = new HashMap<>();
    for (CalendarEntry entry : entries) {
      entry.dates().forEach(d -> {
        CalendarEntry other = byDate.putIfAbsent(d, entry);
        if (other != null) {
          throw new ConfigException(entry.describe() + " overlaps " + other.describe() + " on " + d);
        }
      });
    }
    return byDate;
  }

  /**
   * A file of {@code dir}; when {@code dir} is not a directory, the classpath resource of that path (the hub jar
   * ships {@code config/} on its classpath, like the procedure catalogue).
   */
  private static byte[] read(Path dir, String name, ByteArrayOutputStream loaded) {
    Path path = dir.resolve(name);
    byte[] bytes;
    try {
      bytes = Files.isDirectory(dir) ? Files.readAllBytes(path) : resource(path);
    } catch (NoSuchFileException e) {
      throw new ConfigException("missing " + path
          + " (every configured year needs its file, and recurring.yaml is required)");
    } catch (IOException e) {
      throw new ConfigException("cannot read " + path + ": " + e.getMessage());
    }
    // The name is part of the version: moving an entry between files is a change too.
    loaded.writeBytes(name.getBytes(StandardCharsets.UTF_8));
    loaded.write(0);
    loaded.writeBytes(bytes);
    return bytes;
  }

  public boolean isWorkingDay(LocalDate date) {
    requireCovered(date);
    CalendarEntry entry = byDate.get(date);
    if (entry != null) {
      return entry.kind().working();
    }
    DayOfWeek dow = date.getDayOfWeek();
    return dow != DayOfWeek.SATURDAY && dow != DayOfWeek.SUNDAY;
  }

  /** {@code date} itself when it is a working day, else the next working day. */
  public LocalDate workingDayOnOrAfter(LocalDate date) {
    LocalDate d = date;
    while (!isWorkingDay(d)) {
      d = d.plusDays(1);
    }
    return d;
  }

  /** The {@code days}-th working day after {@code start} ({@code start} itself does not count); 0 → start. */
  public LocalDate addWorkingDays(LocalDate start, int days) {
    if (days < 0) {
      throw new IllegalArgumentException("working days must be >= 0, got " + days);
    }
    requireCovered(start);
    LocalDate d = start;
    for (int left = days; left > 0; ) {
      d = d.plusDays(1);
      if (isWorkingDay(d)) {
        left--;
      }
    }
    return d;
  }

  /**
   * The working days after {@code after} up to and including {@code upTo}: 0 when {@code upTo} is not after
   * {@code after}. The inverse of {@link #addWorkingDays} for a working day {@code upTo}.
   */
  public int workingDaysBetween(LocalDate after, LocalDate upTo) {
    int days = 0;
    for (LocalDate d = after.plusDays(1); !d.isAfter(upTo); d = d.plusDays(1)) {
      if (isWorkingDay(d)) {
        days++;
      }
    }
    return days;
  }

  /**
   * Whether the answer for {@code date} may still change: its year file is provisional, or an entry (or
   * recurring holiday) covering it is.
   */
  public boolean isProvisional(LocalDate date) {
    requireCovered(date);
    CalendarEntry entry = byDate.get(date);
    return provisionalYears.contains(date.getYear()) || (entry != null && entry.provisional());
  }

  /** Whether any day in {@code from..to} (inclusive) is provisional. */
  public boolean anyProvisional(LocalDate from, LocalDate to) {
    return from.datesUntil(to.plusDays(1)).anyMatch(this::isProvisional);
  }

  /** Years whose whole file is provisional (computed, not yet announced), in ascending order. */
  public SortedSet<Integer> provisionalYears() {
    return provisionalYears;
  }

  /** The entry that makes {@code date} differ from the plain weekly pattern, if any (for explaining a due date). */
  public Optional<CalendarEntry> entryOn(LocalDate date) {
    requireCovered(date);
    return Optional.ofNullable(byDate.get(date));
  }

  public int firstYear() {
    return firstYear;
  }

  public int lastYear() {
    return lastYear;
  }

  /** The last day the calendar can answer for (31 December of {@link #lastYear()}). */
  public LocalDate lastDay() {
    return LocalDate.of(lastYear, 12, 31);
  }

  /**
   * Identifies the exact files behind a deadline, e.g. {@code vn-2025-2028@3f1c0a9b27de}: the range plus
   * the start of a SHA-256 over the loaded files' names and bytes. Store it next to each computed due date.
   */
  public String version() {
    return version;
  }

  private void requireCovered(LocalDate date) {
    if (date.getYear() < firstYear || date.getYear() > lastYear) {
      throw new CalendarNotCoveredException(new Years(firstYear, lastYear), date.getYear());
    }
  }
}
