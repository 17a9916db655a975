package vn.onewindow.gateway.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import vn.onewindow.common.agency.AgencyDirectory;

/**
 * Agencies (or provinces) ranked on how often they finish on time, as they are ranked nationally (AGENCY.md section
 * 4): the share of the period's processed dossiers finished before or on their appointment date
 * ({@code processed.shares.beforeDeadlineOrOnTime}), highest first. Equal shares (compared exactly, not as the rounded
 * share says) share a rank and are listed by processed dossiers, most first, then by key; a group that processed
 * nothing has no share and no rank, and comes last. Each entry's figures are those of {@link Timeliness}, counted by
 * the same statement.
 */
record Ranking(String agency, By by, LocalDate from, LocalDate to, LocalDate asOf, List<Entry> ranked) {
  static final String RANKED_BY = "processed.shares.beforeDeadlineOrOnTime";

  enum By {
    AGENCY, PROVINCE;

    String tag() {
      return name().toLowerCase();
    }
  }

  /** {@code key}: the agency code, or the province (the directory's last code segment, or "other"). */
  record Entry(Integer rank, String key, Timeliness figures) {
  }

  /** Higher on-time share first; then more processed dossiers; then the key. No processed dossier: last. */
  static final Comparator<Timeliness> ORDER = Ranking::compare;

  /**
   * {@code perAgency}: the figures of each handling agency (one statement's rows); for {@link By#PROVINCE} summed per
   * province of {@code provinceOf} (the agency directory's bounded label). The province gauges are this ranking of the
   * last 30 days ({@link ProvinceTimeliness}).
   */
  static Ranking of(String agency, By by, LocalDate from, LocalDate to, LocalDate asOf, List<Timeliness> perAgency,
                    UnaryOperator<String> provinceOf) {
    List<Timeliness> groups = by == By.AGENCY ? new ArrayList<>(perAgency) : byProvince(perAgency, provinceOf);
    groups.sort(ORDER);
    List<Entry> entries = new ArrayList<>(groups.size());
    for (int i = 0; i < groups.size(); i++) {
      Timeliness group = groups.get(i);
      Integer rank = null;
      if (group.processed().total() > 0) {
        rank = i > 0 && sameShare(groups.get(i - 1), group) ? entries.get(i - 1).rank() : i + 1;
      }
      entries.add(new Entry(rank, by == By.AGENCY ? group.agency() : province(group.agency()), group));
    }
    return new Ranking(agency, by, from, to, asOf, List.copyOf(entries));
  }

  /** A province's figures are named by its pattern ({@code *.H48}); codes outside the directory's provinces "other". */
  private static List<Timeliness> byProvince(List<Timeliness> perAgency, UnaryOperator<String> provinceOf) {
    Map<String, Timeliness> sums = new LinkedHashMap<>();
    for (Timeliness one : perAgency) {
      String province = provinceOf.apply(one.agency());
      String name = province.equals(AgencyDirectory.OTHER_PROVINCE) ? province : "*." + province;
      sums.merge(name, one.plus(Timeliness.nothing(name, one.from(), one.to(), one.asOf()), name),
          (sum, more) -> sum.plus(more, name));
    }
    return new ArrayList<>(sums.values());
  }

  private static String province(String name) {
    return name.startsWith("*.") ? name.substring(2) : name;
  }

  private static int compare(Timeliness a, Timeliness b) {
    long aTotal = a.processed().total();
    long bTotal = b.processed().total();
    if (aTotal == 0 || bTotal == 0) {
      int unranked = Boolean.compare(aTotal == 0, bTotal == 0);
      if (unranked != 0) {
        return unranked;
      }
    } else {
      // a / aTotal against b / bTotal without rounding: counts are far below 2^31, the products below 2^63
      int share = Long.compare(b.processed().inTime() * aTotal, a.processed().inTime() * bTotal);
      if (share != 0) {
        return share;
      }
    }
    int evidence = Long.compare(bTotal, aTotal);
    return evidence != 0 ? evidence : a.agency().compareTo(b.agency());
  }

  private static boolean sameShare(Timeliness a, Timeliness b) {
    return a.processed().inTime() * b.processed().total() == b.processed().inTime() * a.processed().total();
  }

  /** The first {@code limit} entries; {@code total} says how many there are. */
  JsonObject toJson(int limit) {
    JsonArray items = new JsonArray();
    ranked.stream().limit(limit).forEach(entry -> items.add(new JsonObject()
        .put("rank", entry.rank())
        .put("key", entry.key())
        .put("timeliness", entry.figures().toJson())));
    return new JsonObject()
        .put("agency", agency)
        .put("by", by.tag())
        .put("from", from.toString())
        .put("to", to.toString())
        .put("asOf", asOf.toString())
        .put("rankedBy", RANKED_BY)
        .put("total", ranked.size())
        .put("items", items);
  }
}
