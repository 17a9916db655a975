package vn.onewindow.gateway.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
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

  /**
   * The order of the entries: {@code BEST} (the ranking's own, rank 1 first) or {@code WORST}: the ranked entries from
   * the lowest share up, equal shares in the ranking's tie order (most processed first, then key), so that a ministry
   * reads the bottom first. Both list the entries without a share (nothing processed) last: having no share, they are
   * neither best nor worst.
   */
  enum Order {
    BEST, WORST;

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
   * province of {@code provinceOf} (the agency directory's bounded label). The province gauges are this ranking by
   * province of the last 30 calendar days, over the processed figures alone ({@link ProvinceTimeliness},
   * {@link TimelinessQuery#processedByAgency}).
   */
  static Ranking of(String agency, By by, LocalDate from, LocalDate to, LocalDate asOf, List<Timeliness> perAgency,
                    UnaryOperator<String> provinceOf) {
    Map<String, Timeliness> groups = new LinkedHashMap<>();
    for (Timeliness one : perAgency) {
      if (by == By.AGENCY) {
        groups.put(one.agency(), one);
      } else {
        String province = provinceOf.apply(one.agency());
        String name = provinceFigures(agency, province);
        groups.merge(province, one.plus(Timeliness.nothing(name, from, to, asOf), name),
            (sum, more) -> sum.plus(more, name));
      }
    }
    List<Map.Entry<String, Timeliness>> sorted = new ArrayList<>(groups.entrySet());
    sorted.sort(Map.Entry.comparingByValue(ORDER));
    List<Entry> entries = new ArrayList<>(sorted.size());
    for (int i = 0; i < sorted.size(); i++) {
      Timeliness group = sorted.get(i).getValue();
      Integer rank = null;
      if (group.processed().total() > 0) {
        rank = i > 0 && sameShare(sorted.get(i - 1).getValue(), group) ? entries.get(i - 1).rank() : i + 1;
      }
      entries.add(new Entry(rank, sorted.get(i).getKey(), group));
    }
    return new Ranking(agency, by, from, to, asOf, List.copyOf(entries));
  }

  /**
   * The name of a province's figures, as GET /v1/stats/timeliness names the same figures: with the scope {@code *},
   * the province's pattern ({@code *.H48}; codes outside the directory's provinces "other"). Any other scope lies
   * within one province (a code, or a tail ending in its province), and the entry holds the scope's figures, not the
   * whole province's: it is named after the scope ({@code *.53.H48} is not {@code *.H48}).
   */
  private static String provinceFigures(String scope, String province) {
    if (!scope.equals("*")) {
      return scope;
    }
    return province.equals(AgencyDirectory.OTHER_PROVINCE) ? province : "*." + province;
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

  /** The entries in {@code order}, each with its rank in the ranking. */
  List<Entry> in(Order order) {
    if (order == Order.BEST) {
      return ranked;
    }
    List<Entry> worst = new ArrayList<>(ranked.stream().filter(entry -> entry.rank() != null).toList());
    // List.sort is stable: equal ranks keep the ranking's tie order
    worst.sort(Comparator.comparing(Entry::rank).reversed());
    worst.addAll(ranked.subList(worst.size(), ranked.size()));
    return worst;
  }

  /**
   * The {@code limit} entries in {@code order} after the first {@code offset} (none past the end), {@code total} how
   * many there are in all, and while more follow {@code next}: {@code linkAt} of the next page's offset.
   */
  JsonObject toJson(Order order, int offset, int limit, IntFunction<String> linkAt) {
    JsonArray items = new JsonArray();
    in(order).stream().skip(offset).limit(limit).forEach(entry -> items.add(new JsonObject()
        .put("rank", entry.rank())
        .put("key", entry.key())
        .put("timeliness", entry.figures().toJson())));
    JsonObject body = new JsonObject()
        .put("agency", agency)
        .put("by", by.tag())
        .put("order", order.tag())
        .put("from", from.toString())
        .put("to", to.toString())
        .put("asOf", asOf.toString())
        .put("rankedBy", RANKED_BY)
        .put("total", ranked.size())
        .put("offset", offset)
        .put("items", items);
    if (offset + limit < ranked.size()) {
      body.put("next", linkAt.apply(offset + limit));
    }
    return body;
  }
}
