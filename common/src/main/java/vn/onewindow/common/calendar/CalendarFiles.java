package vn.onewindow.common.calendar;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import vn.onewindow.common.config.ConfigException;

/**
 * Reads one calendar file (a year file or recurring.yaml) into records, checking everything that can be
 * checked within the file. Unknown keys are errors so that a typo ("provisonal") cannot silently change a
 * due date. Cross-entry checks (overlaps) belong to {@link OfficialCalendar}.
 */
final class CalendarFiles {
  static final String RECURRING = "recurring.yaml";

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Set<String> YEAR_KEYS = Set.of("year", "provisional", "entries");
  private static final Set<String> ENTRY_KEYS =
      Set.of("date", "from", "to", "kind", "name", "source", "provisional", "lunar");
  private static final Set<String> LUNAR_KEYS = Set.of("month", "day", "date");
  private static final Set<String> RULE_KEYS =
      Set.of("month", "day", "name", "source", "effectiveFrom", "provisional");

  private CalendarFiles() {
  }

  static YearFile year(String file, int expectedYear, byte[] content) {
    Node root = new Node(file, parse(file, content), YEAR_KEYS);
    int year = root.integer("year");
    if (year != expectedYear) {
      throw root.error("says year " + year + " but is the file for " + expectedYear);
    }
    boolean provisional = root.bool("provisional");
    List<CalendarEntry> entries = new ArrayList<>();
    int index = 1;
    for (JsonNode item : root.list("entries")) {
      entries.add(entry(file, year, index++, item));
    }
    return new YearFile(file, year, provisional, List.copyOf(entries));
  }

  static List<RecurringHoliday> recurring(String file, byte[] content) {
    Node root = new Node(file, parse(file, content), Set.of("recurring"));
    List<RecurringHoliday> rules = new ArrayList<>();
    int index = 1;
    for (JsonNode item : root.list("recurring")) {
      Node rule = new Node(file + ": rule #" + index++, item, RULE_KEYS);
      int month = rule.intIn("month", 1, 12);
      int day = rule.intIn("day", 1, 31);
      try {
        MonthDay.of(month, day); // 29 February passes: it occurs in leap years
      } catch (DateTimeException e) {
        throw rule.error("month " + month + " has no day " + day);
      }
      rules.add(new RecurringHoliday(file, month, day, rule.text("name"), rule.text("source"),
          rule.date("effectiveFrom"), rule.bool("provisional")));
    }
    return List.copyOf(rules);
  }

  private static CalendarEntry entry(String file, int year, int index, JsonNode item) {
    // The label grows as fields are read so that every error names as much of the entry as is known.
    Node node = new Node(file + ": entry #" + index, item, ENTRY_KEYS);
    boolean single = node.has("date");
    if (single == (node.has("from") || node.has("to"))) {
      throw node.error("needs either 'date' or both 'from' and 'to'");
    }
    LocalDate from = single ? node.date("date") : node.date("from");
    LocalDate to = single ? from : node.date("to");
    String name = node.has("name") ? node.text("name") : "";
    Node named = node.relabel(file + ": " + (single ? from.toString() : from + ".." + to) + " '" + name + "'");
    named.text("name");
    String kindName = named.text("kind");
    DayKind kind = DayKind.parse(kindName).orElseThrow(() -> named.error("unknown kind '" + kindName
        + "' (expected one of " + Arrays.stream(DayKind.values()).map(DayKind::yamlName)
        .collect(Collectors.joining(", ")) + ")"));
    boolean provisional = named.has("provisional") && named.bool("provisional");
    Optional<LunarAnchor> lunar = named.has("lunar") ? Optional.of(lunar(named, from)) : Optional.empty();
    CalendarEntry entry = new CalendarEntry(file, from, to, kind, name, named.text("source"), provisional, lunar);
    check(entry, year);
    return entry;
  }

  private static LunarAnchor lunar(Node entry, LocalDate entryDate) {
    Node node = new Node(entry.label + " lunar", entry.json.get("lunar"), LUNAR_KEYS);
    LocalDate date = node.has("date") ? node.date("date") : entryDate;
    return new LunarAnchor(node.intIn("month", 1, 12), node.intIn("day", 1, 30), date);
  }

  private static void check(CalendarEntry e, int year) {
    if (e.from().getYear() != year || e.to().getYear() != year) {
      throw new ConfigException(e.describe() + ": date is not in " + year + ", the year of the file");
    }
    if (e.to().isBefore(e.from())) {
      throw new ConfigException(e.describe() + ": 'to' is before 'from'");
    }
    e.lunar().filter(l -> !e.covers(l.date())).ifPresent(l -> {
      throw new ConfigException(e.describe() + ": lunar date " + l.date() + " is outside the entry");
    });
    e.dates().forEach(d -> {
      DayOfWeek dow = d.getDayOfWeek();
      boolean weekend = dow == DayOfWeek.SATURDAY || dow == DayOfWeek.SUNDAY;
      if (e.kind() == DayKind.SWAP_WORKDAY && dow != DayOfWeek.SATURDAY) {
        throw new ConfigException(e.describe() + ": a swap_workday must be a Saturday, " + d + " is a " + dow);
      }
      // A day off "given" on a rest day changes nothing: almost certainly a wrong date.
      if ((e.kind() == DayKind.SWAP_DAYOFF || e.kind() == DayKind.COMPENSATORY) && weekend) {
        throw new ConfigException(e.describe() + ": a " + e.kind().yamlName()
            + " must be a weekday, " + d + " is a " + dow);
      }
    });
  }

  private static JsonNode parse(String file, byte[] content) {
    try {
      JsonNode root = YAML.readTree(content);
      return root == null ? YAML.createObjectNode() : root;
    } catch (JacksonException e) {
      throw new ConfigException(file + ": not valid YAML: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new ConfigException(file + ": unreadable: " + e.getMessage());
    }
  }

  /** A YAML mapping plus the label that errors about it start with. */
  private record Node(String label, JsonNode json, Set<String> allowed) {
    Node {
      if (json == null || !json.isObject()) {
        throw new ConfigException(label + ": expected a mapping of " + new java.util.TreeSet<>(allowed));
      }
      for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!allowed.contains(key)) {
          throw new ConfigException(label + ": unknown key '" + key + "' (allowed: "
              + new java.util.TreeSet<>(allowed) + ")");
        }
      }
    }

    Node relabel(String newLabel) {
      return new Node(newLabel, json, allowed);
    }

    boolean has(String key) {
      return json.hasNonNull(key);
    }

    ConfigException error(String why) {
      return new ConfigException(label + ": " + why);
    }

    private JsonNode required(String key) {
      if (!has(key)) {
        throw error("missing '" + key + "'");
      }
      return json.get(key);
    }

    String text(String key) {
      JsonNode v = required(key);
      if (!v.isTextual() || v.asText().isBlank()) {
        throw error("'" + key + "' must be non-empty text, got '" + v.asText() + "'");
      }
      return v.asText();
    }

    int integer(String key) {
      JsonNode v = required(key);
      if (!v.canConvertToInt() || !v.isIntegralNumber()) {
        throw error("'" + key + "' must be an integer, got '" + v.asText() + "'");
      }
      return v.intValue();
    }

    int intIn(String key, int min, int max) {
      int v = integer(key);
      if (v < min || v > max) {
        throw error("'" + key + "' must be in " + min + ".." + max + ", got " + v);
      }
      return v;
    }

    boolean bool(String key) {
      JsonNode v = required(key);
      if (!v.isBoolean()) {
        throw error("'" + key + "' must be true or false, got '" + v.asText() + "'");
      }
      return v.booleanValue();
    }

    LocalDate date(String key) {
      String v = required(key).asText();
      try {
        return LocalDate.parse(v);
      } catch (DateTimeException e) {
        throw error("'" + key + "' must be a date like 2026-01-31, got '" + v + "'");
      }
    }

    Iterable<JsonNode> list(String key) {
      JsonNode v = required(key);
      if (!v.isArray()) {
        throw error("'" + key + "' must be a list");
      }
      return v;
    }
  }
}
