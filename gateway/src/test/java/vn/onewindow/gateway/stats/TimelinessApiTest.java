package vn.onewindow.gateway.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static vn.onewindow.gateway.security.SecurityTestSupport.assertProblem;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import vn.onewindow.common.agency.AgencyPattern;
import vn.onewindow.common.dossier.DossierTable;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.gateway.GatewayFixture;
import vn.onewindow.gateway.OneGatewayPerClass;

/**
 * The timeliness split against a hand-computed set of dossiers of February 2026 (Asia/Ho_Chi_Minh dates), as a
 * ministry's reporting team reads it.
 */
class TimelinessApiTest extends OneGatewayPerClass {
  private static final String H48 = "000.00.53.H48";
  private static final String H48_OTHER = "000.00.18.H48";
  private static final String H29 = "000.00.00.H29";
  private static final AtomicLong CODES = new AtomicLong(1_000_000_000L + System.nanoTime() % 1_000_000_000L);
  private static Pool pool;

  @BeforeAll
  static void start() {
    gw = new GatewayFixture(Map.of("stats.cache-ms", "0"));
    pool = PostgresClients.pool(gw.vertx, gw.config.postgres(), "test");
    // processed in February: before, on time, overdue, on time without a due date, on time across midnight UTC
    dossier(H48, 9, "2026-02-10T09:00:00+07:00", "2026-02-12", "2026-01-20T09:00:00+07:00");
    String rated = dossier(H48, 10, "2026-02-12T16:00:00+07:00", "2026-02-12", "2026-01-21T09:00:00+07:00");
    dossier(H48_OTHER, 9, "2026-02-20T09:00:00+07:00", "2026-02-13", "2026-01-22T09:00:00+07:00");
    dossier(H48, 9, "2026-02-05T09:00:00+07:00", null, "2026-01-23T09:00:00+07:00");
    dossier(H48, 9, "2026-02-10T23:30:00Z", "2026-02-11", "2026-01-24T09:00:00+07:00");
    // open at the end of February: finished only in March (overdue), in time, due on the last day, overdue
    dossier(H48, 10, "2026-03-02T09:00:00+07:00", "2026-02-27", "2026-02-02T09:00:00+07:00");
    dossier(H48, 4, null, "2026-03-05", "2026-02-03T09:00:00+07:00");
    dossier(H48, 2, null, "2026-02-28", "2026-02-04T09:00:00+07:00");
    dossier(H48, 4, null, "2026-02-20", "2026-02-05T09:00:00+07:00");
    // paused and withdrawn: supplement overdue at the end; payment in time, payment overdue
    dossier(H48, 5, null, "2026-02-25", "2026-02-06T09:00:00+07:00");
    dossier(H48, 6, null, "2026-03-10", "2026-02-07T09:00:00+07:00");
    dossier(H48, 6, null, "2026-02-20", "2026-02-09T09:00:00+07:00");
    dossier(H48, 7, null, null, "2026-02-08T09:00:00+07:00");
    // stopped in February: before its appointment; at 00:30 the day after it (still the appointment day in UTC):
    // overdue; without an appointment (not overdue, as a withdrawal without one)
    dossier(H48, "2026-02-10T09:00:00+07:00", step(2, "2026-02-10T10:00:00+07:00", "2026-02-25"),
        step(4, "2026-02-11T09:00:00+07:00"), step(8, "2026-02-16T09:00:00+07:00"));
    dossier(H48, "2026-02-11T09:00:00+07:00", step(2, "2026-02-11T10:00:00+07:00", "2026-02-18"),
        step(4, "2026-02-12T09:00:00+07:00"), step(8, "2026-02-19T00:30:00+07:00"));
    dossier(H48, 8, null, null, "2026-02-12T09:00:00+07:00");
    // outside: processed in January, another province, received after the period
    dossier(H48, 10, "2026-01-20T09:00:00+07:00", "2026-01-22", "2026-01-05T09:00:00+07:00");
    String otherProvince = dossier(H29, 9, "2026-02-20T09:00:00+07:00", "2026-02-13", "2026-01-22T09:00:00+07:00");
    dossier(H48, 4, null, "2026-03-20", "2026-03-01T09:00:00+07:00");
    rating(rated, List.of(5, 4, 2), "2026-02-15T10:00:00+07:00");
    rating(otherProvince, List.of(1), "2026-02-21T10:00:00+07:00");
  }

  @AfterAll
  static void closePool() {
    pool.close().await();
  }

  @Test
  void shouldSplitAProvincesDossiersAsNationalReportingDoes() {
    JsonObject stats = stats("agency=*.H48&from=2026-02-01&to=2026-02-28");

    assertThat(stats.getString("asOf")).isEqualTo("2026-02-28");
    JsonObject processed = stats.getJsonObject("processed");
    assertThat(processed.getLong("total")).isEqualTo(5);
    assertThat(processed.getLong("beforeDeadline")).isEqualTo(1);
    assertThat(processed.getLong("onTime")).isEqualTo(3);
    assertThat(processed.getLong("overdue")).isEqualTo(1);
    assertThat(processed.getJsonObject("shares").getDouble("beforeDeadline")).isEqualTo(0.2);
    assertThat(processed.getJsonObject("shares").getDouble("beforeDeadlineOrOnTime")).isEqualTo(0.8);
    JsonObject open = stats.getJsonObject("open");
    assertThat(open.getLong("total")).isEqualTo(4);
    assertThat(open.getLong("inTime")).isEqualTo(2);
    assertThat(open.getLong("overdue")).isEqualTo(2);
    assertThat(open.getLong("dueWithin24Hours")).isEqualTo(1);
    assertThat(stats.getJsonObject("paused")).isEqualTo(new JsonObject().put("supplement", 1).put("supplementOverdue", 1)
        .put("payment", 2).put("paymentOverdue", 1).put("stopped", 3).put("stoppedOverdue", 1));
    assertThat(stats.getLong("withdrawn")).isEqualTo(1);
    assertThat(stats.getJsonObject("withdrawnByDeadline")).as("withdrawn before acceptance: no appointment")
        .isEqualTo(new JsonObject().put("beforeDeadline", 0).put("onTime", 1).put("overdue", 0));
    assertThat(stats.getJsonObject("satisfaction")).isEqualTo(new JsonObject().put("ratings", 1).put("answers", 3)
        .put("satisfied", 2).put("share", 0.6667));
  }

  @Test
  void shouldSelectOneAgencyOrEveryAgency() {
    JsonObject one = stats("agency=" + H48_OTHER + "&from=2026-02-01&to=2026-02-28");
    assertThat(one.getJsonObject("processed").getLong("total")).isEqualTo(1);
    assertThat(one.getJsonObject("processed").getLong("overdue")).isEqualTo(1);

    JsonObject all = stats("from=2026-02-01&to=2026-02-28");
    assertThat(all.getString("agency")).isEqualTo("*");
    assertThat(all.getJsonObject("processed").getLong("total")).isEqualTo(6);
    assertThat(all.getJsonObject("satisfaction").getLong("ratings")).isEqualTo(2);
  }

  /**
   * An exact code and a province tail are both read through dossier_agency_tail_idx, the one agency index of the
   * statistics (V8 dropped the (handling_agency, received_at) index intake maintained for exact codes). With a
   * handful of rows the planner would rather scan the table, so sequential scans are priced out for the EXPLAIN:
   * the question is whether the index can serve the predicate, not whether it wins on this table.
   */
  @Test
  void shouldReadAnExactCodeAndATailThroughTheAgencyIndex() {
    LocalDate from = LocalDate.of(2026, 2, 1);
    LocalDate to = LocalDate.of(2026, 2, 28);
    TimelinessQuery query = new TimelinessQuery(pool, gw.config.dossier().zone());
    for (String agency : List.of(H48_OTHER, "*.H48")) {
      AgencyScope scope = AgencyScope.of(new AgencyPattern(agency), "handling_agency", 1);
      String plan = planWithoutSeqScans(query.dossiersSql(scope, from, to), query.dossiersParams(scope, from, to, to));
      assertThat(plan).as(agency).contains("dossier_agency_tail_idx").doesNotContain("Seq Scan");
    }
    List<String> indexes = pool.query("SELECT indexname FROM pg_indexes WHERE tablename = 'dossier'").execute()
        .map(rows -> {
          List<String> names = new ArrayList<>();
          rows.forEach(row -> names.add(row.getString(0)));
          return names;
        })
        .await();
    assertThat(indexes).contains("dossier_agency_tail_idx", "dossier_agency_feed_idx")
        .doesNotContain("dossier_handling_agency_received_idx", "dossier_procedure_received_idx");
  }

  /**
   * The province gauges' statement reads the dossiers processed in its 30 days through dossier_processed_at_idx, not
   * every dossier ever received (the ranking's statement reads them all for the open ones: 0.85 s for 1 million, where
   * this one took 60 ms). Sequential scans are priced out, as above.
   */
  @Test
  void shouldReadOnlyTheWindowsProcessedDossiersForTheProvinceGauges() {
    LocalDate to = LocalDate.now(gw.config.dossier().zone());
    LocalDate from = to.minusDays(ProvinceTimeliness.WINDOW_DAYS - 1);
    TimelinessQuery query = new TimelinessQuery(pool, gw.config.dossier().zone());
    AgencyScope every = AgencyScope.of(new AgencyPattern("*"), "handling_agency", 1);
    String plan = planWithoutSeqScans(query.byAgencySql(new AgencyPattern("*"), from, to, true),
        query.dossiersParams(every, from, to, to));
    assertThat(plan).contains("dossier_processed_at_idx").doesNotContain("dossier_agency_tail_idx");
  }

  /** The plan of {@code sql}, sequential scans priced out. */
  private static String planWithoutSeqScans(String sql, Tuple params) {
    return pool.withTransaction(conn -> conn.query("SET LOCAL enable_seqscan = off").execute()
            .compose(v -> conn.preparedQuery("EXPLAIN " + sql).execute(params)))
        .map(rows -> {
          StringBuilder lines = new StringBuilder();
          rows.forEach(row -> lines.append(row.getString(0)).append('\n'));
          return lines.toString();
        })
        .await();
  }

  @Test
  void shouldExportTheOnTimeShareOfEachProvinceUnderABoundedLabel() {
    OffsetDateTime now = OffsetDateTime.now();
    String today = now.toLocalDate().toString();
    for (int i = 0; i < 3; i++) {
      dossier(H48, 10, now.minusDays(2).toString(), today, now.minusDays(5).toString());
    }
    dossier(H48_OTHER, 9, now.minusDays(2).toString(), now.minusDays(4).toLocalDate().toString(),
        now.minusDays(9).toString());
    dossier(H29, 9, now.minusDays(1).toString(), now.minusDays(3).toLocalDate().toString(), now.minusDays(8).toString());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ProvinceTimeliness provinces = new ProvinceTimeliness(pool, gw.config.dossier().zone(), gw.config.stats(),
        gw.shared.directory()::provinceOf, Clock.systemUTC(), registry);

    provinces.refresh().await();

    assertThat(registry.get(MeterNames.TIMELINESS_ON_TIME_SHARE).tag(MeterNames.TAG_PROVINCE, "H48").gauge().value())
        .isEqualTo(0.75);
    assertThat(registry.get(MeterNames.TIMELINESS_OVERDUE_SHARE).tag(MeterNames.TAG_PROVINCE, "H48").gauge().value())
        .isEqualTo(0.25);
    assertThat(registry.get(MeterNames.TIMELINESS_OVERDUE_SHARE).tag(MeterNames.TAG_PROVINCE, "H29").gauge().value())
        .isEqualTo(1.0);
    // February's dossiers are outside the 30-day window; no label but provinces
    assertThat(registry.scrape()).doesNotContain("000.00.").doesNotContain("handling_agency");
  }

  /**
   * A dashboard's province gauge says what the ranking by province answers for the last 30 calendar days up to today:
   * one statement and one sum counted them. The gauges once had a rule of their own, the last 30 x 24 hours (now()
   * minus 30 days), which also took a dossier processed late on the day before the 30 calendar days began.
   */
  @Test
  void shouldExportTheSharesTheRankingByProvinceAnswersForTheLast30CalendarDays() {
    ZoneId zone = gw.config.dossier().zone();
    ZonedDateTime now = ZonedDateTime.now(zone);
    LocalDate today = now.toLocalDate();
    LocalDate from = today.minusDays(29);
    // one second before the calendar window: within now() - 30 days (but in the day's last second)
    ZonedDateTime dayBefore = from.atStartOfDay(zone).minusSeconds(1);
    String h33 = "000.00.61.H33";
    String h31 = "000.00.61.H31";
    OffsetDateTime justNow = now.minusMinutes(1).toOffsetDateTime();
    // H33: 2 in time and 1 overdue in the window (2/3), 1 overdue just before it
    dossier(h33, 9, justNow.toString(), today.toString(), justNow.minusDays(5).toString());
    dossier(h33, 10, justNow.toString(), today.plusDays(1).toString(), justNow.minusDays(5).toString());
    dossier(h33, 9, justNow.toString(), today.minusDays(1).toString(), justNow.minusDays(5).toString());
    dossier(h33, 9, dayBefore.toOffsetDateTime().toString(), dayBefore.toLocalDate().minusDays(1).toString(),
        dayBefore.minusDays(5).toOffsetDateTime().toString());
    // H31: processed only just before the window: nothing processed in it, no share
    dossier(h31, 9, dayBefore.toOffsetDateTime().toString(), dayBefore.toLocalDate().minusDays(1).toString(),
        dayBefore.minusDays(5).toOffsetDateTime().toString());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ProvinceTimeliness provinces = new ProvinceTimeliness(pool, zone, gw.config.stats(),
        gw.shared.directory()::provinceOf, Clock.fixed(now.toInstant(), zone), registry);

    provinces.refresh().await();

    JsonObject ranking = gw.get("/v1/stats/timeliness/ranking?by=province&from=" + from + "&to=" + today)
        .bodyAsJsonObject();
    JsonObject h33Shares = provinceShares(ranking, "H33");
    assertThat(h33Shares.getDouble("beforeDeadlineOrOnTime")).isEqualTo(0.6667);
    assertThat(h33Shares.getDouble("overdue")).isEqualTo(0.3333);
    assertThat(registry.get(MeterNames.TIMELINESS_ON_TIME_SHARE).tag(MeterNames.TAG_PROVINCE, "H33").gauge().value())
        .isEqualTo(h33Shares.getDouble("beforeDeadlineOrOnTime"));
    assertThat(registry.get(MeterNames.TIMELINESS_OVERDUE_SHARE).tag(MeterNames.TAG_PROVINCE, "H33").gauge().value())
        .isEqualTo(h33Shares.getDouble("overdue"));
    assertThat(provinceShares(ranking, "H31").getValue("overdue")).as("nothing processed in the window").isNull();
    assertThat(registry.find(MeterNames.TIMELINESS_OVERDUE_SHARE).tag(MeterNames.TAG_PROVINCE, "H31").gauge())
        .as("no share, no series").isNull();
  }

  private static JsonObject provinceShares(JsonObject ranking, String province) {
    return ranking.getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(item -> item.getString("key").equals(province))
        .findFirst().orElseThrow(() -> new AssertionError(province + " not ranked: " + ranking.encode()))
        .getJsonObject("timeliness").getJsonObject("processed").getJsonObject("shares");
  }

  /**
   * The dossiers open, paused and withdrawn today belong to the periods running now: a period that starts tomorrow (or
   * next year) has counted nothing yet. It is judged as of today, the day the figures were taken.
   */
  @Test
  void shouldCountNothingForAPeriodThatHasNotBegun() {
    LocalDate today = LocalDate.now(gw.config.dossier().zone());
    // open, paused and withdrawn right now, received yesterday: what the period's figures must not show
    OffsetDateTime yesterday = OffsetDateTime.now().minusDays(1);
    dossier(H48, 4, null, today.plusDays(3).toString(), yesterday.toString());
    dossier(H48, 5, null, today.toString(), yesterday.toString());
    dossier(H48, 7, null, null, yesterday.toString());
    JsonObject running = stats("agency=*.H48&from=" + today + "&to=" + today.plusDays(30));
    assertThat(running.getJsonObject("open").getLong("total")).as("the period that began today counts them")
        .isPositive();

    for (LocalDate from : List.of(today.plusDays(1), today.plusYears(1).withDayOfMonth(1))) {
      JsonObject future = stats("agency=*&from=" + from + "&to=" + from.plusDays(30));

      assertThat(future.getString("asOf")).isEqualTo(today.toString());
      assertThat(future.getJsonObject("processed")).isEqualTo(new JsonObject().put("total", 0).put("beforeDeadline", 0)
          .put("onTime", 0).put("overdue", 0).put("shares", new JsonObject().putNull("beforeDeadline")
              .putNull("onTime").putNull("overdue").putNull("beforeDeadlineOrOnTime")));
      assertThat(future.getJsonObject("open")).isEqualTo(new JsonObject().put("total", 0).put("inTime", 0)
          .put("overdue", 0).put("dueWithin24Hours", 0));
      assertThat(future.getJsonObject("paused")).isEqualTo(new JsonObject().put("supplement", 0)
          .put("supplementOverdue", 0).put("payment", 0).put("paymentOverdue", 0).put("stopped", 0)
          .put("stoppedOverdue", 0));
      assertThat(future.getLong("withdrawn")).isZero();
      assertThat(future.getJsonObject("satisfaction")).isEqualTo(new JsonObject().put("ratings", 0).put("answers", 0)
          .put("satisfied", 0).putNull("share"));
    }
  }

  /**
   * A withdrawal (7) and a stop (8) end a dossier: like a processing end, each counts in the period it happened, not
   * in every later period of the agency (a withdrawal of March 2025 is not one of April's, nor of any quarter after).
   */
  @Test
  void shouldCountAWithdrawalOrAStopInThePeriodItHappened() {
    String agency = "000.00.77.H48";
    ended(dossier(agency, 7, null, null, "2025-03-10T09:00:00+07:00"), "2025-03-12T09:00:00+07:00");
    // stopped at 01:00 on 1 March in Vietnam, still 28 February in UTC
    ended(dossier(agency, 8, null, "2025-03-20", "2025-02-20T09:00:00+07:00"), "2025-03-01T01:00:00+07:00");

    JsonObject march = stats("agency=" + agency + "&from=2025-03-01&to=2025-03-31");
    assertThat(march.getLong("withdrawn")).isEqualTo(1);
    assertThat(march.getJsonObject("paused").getLong("stopped")).isEqualTo(1);
    assertThat(march.getJsonObject("paused").getLong("stoppedOverdue")).as("stopped before 20 March").isZero();
    for (String later : List.of("from=2025-04-01&to=2025-04-30", "from=2026-01-01&to=2026-03-31")) {
      JsonObject stats = stats("agency=" + agency + "&" + later);
      assertThat(stats.getLong("withdrawn")).as(later).isZero();
      assertThat(stats.getJsonObject("paused").getLong("stopped")).as(later).isZero();
    }
  }

  /**
   * A published quarter does not move (AGENCY.md sections 4-5: reproducible figures): each dossier counts where its
   * status stood at the period's end, with the appointment it had then, whatever happened to it afterwards. The
   * quarter is taken once with the history up to its end, and again after April's events; both must equal the hand
   * count (dates in Asia/Ho_Chi_Minh: the quarter ends at 2026-03-31T17:00Z).
   */
  @Test
  void shouldJudgeAClosedQuarterByWhatHadHappenedByItsEnd() {
    String agency = "000.00.99.H99";
    String q1 = "agency=*.99.H99&from=2026-01-01&to=2026-03-31";
    // A, B: in processing at the quarter's end (A overdue), withdrawn / stopped in April
    String a = dossier(agency, "2026-02-02T09:00:00+07:00", step(2, "2026-02-02T10:00:00+07:00", "2026-03-20"),
        step(4, "2026-02-03T09:00:00+07:00"));
    String b = dossier(agency, "2026-03-02T09:00:00+07:00", step(2, "2026-03-02T10:00:00+07:00", "2026-04-10"),
        step(4, "2026-03-03T09:00:00+07:00"));
    // C: supplement requested in March (re-dated to 15 April), resumed and processed in April
    String c = dossier(agency, "2026-03-01T09:00:00+07:00", step(2, "2026-03-01T10:00:00+07:00", "2026-03-25"),
        step(4, "2026-03-02T09:00:00+07:00"), step(5, "2026-03-20T09:00:00+07:00", "2026-04-15"));
    // D: in processing and overdue at the end (due 30 March); re-dated to 10 May by a supplement in April
    String d = dossier(agency, "2026-03-05T09:00:00+07:00", step(2, "2026-03-05T10:00:00+07:00", "2026-03-30"),
        step(4, "2026-03-06T09:00:00+07:00"));
    // E: awaiting payment at the end; paid, processed and returned in April
    String e = dossier(agency, "2026-03-10T09:00:00+07:00", step(2, "2026-03-10T10:00:00+07:00", "2026-04-20"),
        step(4, "2026-03-11T09:00:00+07:00"), step(6, "2026-03-25T09:00:00+07:00"));
    // P: awaiting payment at the end, past its appointment (20 March); paid and processed in April
    String p = dossier(agency, "2026-03-01T09:00:00+07:00", step(2, "2026-03-01T10:00:00+07:00", "2026-03-20"),
        step(4, "2026-03-02T09:00:00+07:00"), step(6, "2026-03-15T09:00:00+07:00"));
    // F: in processing, due on 1 April (due within 24 hours of the end); withdrawn at 00:30 on 1 April in Vietnam,
    // still 31 March in UTC
    String f = dossier(agency, "2026-03-15T09:00:00+07:00", step(2, "2026-03-15T10:00:00+07:00", "2026-04-01"),
        step(4, "2026-03-16T09:00:00+07:00"));
    // G: withdrawn at 23:30 on 31 March in Vietnam (16:30 UTC), after its appointment (28 March)
    dossier(agency, "2026-03-20T09:00:00+07:00", step(2, "2026-03-20T10:00:00+07:00", "2026-03-28"),
        step(4, "2026-03-21T09:00:00+07:00"), step(7, "2026-03-31T23:30:00+07:00"));
    // H: received in March, still waiting for acceptance at the end (not received, {1, 3}); accepted in April
    String h = dossier(agency, "2026-03-30T09:00:00+07:00");
    // I: processed before its appointment in January, result returned in April
    String i = dossier(agency, "2026-01-05T09:00:00+07:00", step(2, "2026-01-05T10:00:00+07:00", "2026-01-20"),
        step(4, "2026-01-06T09:00:00+07:00"), step(9, "2026-01-19T09:00:00+07:00"));
    // J: withdrawn before acceptance (no appointment); K: withdrawn before its appointment
    dossier(agency, "2026-02-10T09:00:00+07:00", step(7, "2026-02-11T09:00:00+07:00"));
    dossier(agency, "2026-02-12T09:00:00+07:00", step(2, "2026-02-12T10:00:00+07:00", "2026-03-10"),
        step(7, "2026-03-01T09:00:00+07:00"));

    JsonObject atTheEnd = stats(q1);
    events(a, step(7, "2026-04-05T09:00:00+07:00"));
    events(b, step(8, "2026-04-06T09:00:00+07:00"));
    events(c, step(4, "2026-04-03T09:00:00+07:00"), step(9, "2026-04-10T09:00:00+07:00"));
    events(d, step(5, "2026-04-02T09:00:00+07:00", "2026-05-10"), step(4, "2026-04-20T09:00:00+07:00"));
    events(e, step(4, "2026-04-02T09:00:00+07:00"), step(9, "2026-04-08T09:00:00+07:00"),
        step(10, "2026-04-09T09:00:00+07:00"));
    events(f, step(7, "2026-04-01T00:30:00+07:00"));
    events(p, step(4, "2026-04-03T09:00:00+07:00"), step(9, "2026-04-05T09:00:00+07:00"));
    events(h, step(2, "2026-04-02T09:00:00+07:00", "2026-04-20"));
    events(i, step(10, "2026-04-02T09:00:00+07:00"));
    JsonObject later = stats(q1);

    for (JsonObject stats : List.of(atTheEnd, later)) {
      JsonObject processed = stats.getJsonObject("processed");
      assertThat(processed.getLong("total")).isEqualTo(1);
      assertThat(processed.getLong("beforeDeadline")).isEqualTo(1);
      assertThat(stats.getJsonObject("open")).as("A, D overdue; B, F in time; F due within 24 hours")
          .isEqualTo(new JsonObject().put("total", 4).put("inTime", 2).put("overdue", 2).put("dueWithin24Hours", 1));
      assertThat(stats.getJsonObject("paused"))
          .as("C's supplement (due 15 April), E's payment (due 20 April), P's payment (due 20 March)")
          .isEqualTo(new JsonObject().put("supplement", 1).put("supplementOverdue", 0).put("payment", 2)
              .put("paymentOverdue", 1).put("stopped", 0).put("stoppedOverdue", 0));
      assertThat(stats.getLong("withdrawn")).isEqualTo(3);
    }
    assertThat(later).isEqualTo(atTheEnd);
    JsonObject april = stats("agency=*.99.H99&from=2026-04-01&to=2026-04-30");
    assertThat(april.getLong("withdrawn")).as("A and F").isEqualTo(2);
    assertThat(april.getJsonObject("paused").getLong("stopped")).as("B").isEqualTo(1);
    assertThat(april.getJsonObject("paused").getLong("stoppedOverdue")).as("B, before 10 April").isZero();
    assertThat(april.getJsonObject("processed").getLong("total")).as("C, E, P").isEqualTo(3);
    assertThat(atTheEnd.getJsonObject("withdrawnByDeadline")).as("K before, J without an appointment, G after")
        .isEqualTo(new JsonObject().put("beforeDeadline", 1).put("onTime", 1).put("overdue", 1));
  }

  /**
   * The period's end is an instant (00:00:00.000 on the next day in Asia/Ho_Chi_Minh): an event at that very instant
   * belongs to the next period, one a microsecond before to this one; events in one millisecond count once, as the
   * last recorded; and the store's same-second rule (an event may name the second of the one before) never moves an
   * event across the end, which is a whole second.
   */
  @Test
  void shouldSplitEventsAtTheEndsInstantAndInOneMillisecondOnce() {
    String agency = "000.00.98.H99";
    String q1 = "agency=*.98.H99&from=2026-01-01&to=2026-03-31";
    // L: in processing, withdrawn at the end's very instant: open in March, withdrawn in April
    dossier(agency, "2026-03-02T09:00:00+07:00", step(2, "2026-03-02T10:00:00+07:00", "2026-04-10"),
        step(4, "2026-03-03T09:00:00+07:00"), step(7, "2026-04-01T00:00:00+07:00"));
    // M: resumed and a supplement requested in the last millisecond of March, both at one instant (5 recorded
    // last), resumed again at the end's instant: paused at the end, once
    dossier(agency, "2026-03-02T09:00:00+07:00", step(2, "2026-03-02T10:00:00+07:00", "2026-04-10"),
        step(4, "2026-03-03T09:00:00+07:00"), step(6, "2026-03-31T23:59:59.999+07:00"),
        step(4, "2026-03-31T23:59:59.999+07:00"), step(5, "2026-03-31T23:59:59.999+07:00"),
        step(4, "2026-04-01T00:00:00+07:00"));
    // N: accepted in March; in processing at 00:00:00.400 on 1 April, processed "at 00:00:00" (the same second):
    // open at the end, processed in April
    dossier(agency, "2026-03-02T09:00:00+07:00", step(2, "2026-03-02T10:00:00+07:00", "2026-04-10"),
        step(4, "2026-04-01T00:00:00.400+07:00"), step(9, "2026-04-01T00:00:00+07:00"));
    // O: processed a microsecond before the end
    dossier(agency, "2026-03-02T09:00:00+07:00", step(2, "2026-03-02T10:00:00+07:00", "2026-03-31"),
        step(4, "2026-03-03T09:00:00+07:00"), step(9, "2026-03-31T23:59:59.999999+07:00"));

    JsonObject march = stats(q1);
    assertThat(march.getJsonObject("open")).as("L, N")
        .isEqualTo(new JsonObject().put("total", 2).put("inTime", 2).put("overdue", 0).put("dueWithin24Hours", 0));
    assertThat(march.getJsonObject("paused")).as("M")
        .isEqualTo(new JsonObject().put("supplement", 1).put("supplementOverdue", 0).put("payment", 0)
            .put("paymentOverdue", 0).put("stopped", 0).put("stoppedOverdue", 0));
    assertThat(march.getJsonObject("processed").getLong("total")).as("O").isEqualTo(1);
    assertThat(march.getJsonObject("processed").getLong("onTime")).as("O, on its due day").isEqualTo(1);
    assertThat(march.getLong("withdrawn")).isZero();
    JsonObject april = stats("agency=*.98.H99&from=2026-04-01&to=2026-04-30");
    assertThat(april.getLong("withdrawn")).as("L").isEqualTo(1);
    assertThat(april.getJsonObject("processed").getLong("total")).as("N").isEqualTo(1);
    assertThat(april.getJsonObject("open").getLong("total")).as("M").isEqualTo(1);
  }

  @Test
  void shouldRefuseABadAgencyOrPeriodWith400() {
    assertProblem(gw.getRaw("/v1/stats/timeliness?agency=H48&from=2026-02-01&to=2026-02-28"), 400,
        "malformed-request");
    assertProblem(gw.getRaw("/v1/stats/timeliness?from=2026-02-30&to=2026-03-01"), 400, "malformed-request");
    assertProblem(gw.getRaw("/v1/stats/timeliness?from=2026-03-01&to=2026-02-01"), 400, "malformed-request");
    assertProblem(gw.getRaw("/v1/stats/timeliness?to=2026-02-01"), 400, "malformed-request");
  }

  private static JsonObject stats(String query) {
    var response = gw.get("/v1/stats/timeliness?" + query.replace("*", "%2A"));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    return response.bodyAsJsonObject();
  }

  /**
   * A stored dossier at a status, with its processing end (null: not processed) and due date, reached through the
   * events a dossier at that status has had (acceptance, processing, then the status itself), each recorded as the
   * event store records it: the dossier's current state and a status-history row. The steps before the last happen
   * at the receipt; the last at the processing end when there is one, else (a withdrawal, a stop...) at the receipt.
   */
  private static String dossier(String agency, int status, String processedAt, String dueDate, String receivedAt) {
    List<Step> steps = new ArrayList<>();
    if (status != 1 && status != 7) {
      steps.add(new Step(2, receivedAt, dueDate));
    }
    if (status != 1 && status != 2 && status != 7) {
      steps.add(new Step(4, receivedAt, null));
    }
    if (status == 5) {
      steps.add(new Step(5, receivedAt, dueDate));
    } else if (status == 9 || status == 10) {
      steps.add(new Step(9, processedAt, null));
    }
    if (status == 6 || status == 7 || status == 8 || status == 10) {
      steps.add(new Step(status, processedAt == null ? receivedAt : processedAt, null));
    }
    return dossier(agency, receivedAt, steps.toArray(Step[]::new));
  }

  /** One progress event: a status at a time, with the appointment it sets (2, 5) or null. */
  private record Step(int status, String at, String dueDate) {
  }

  private static Step step(int status, String at) {
    return new Step(status, at, null);
  }

  private static Step step(int status, String at, String dueDate) {
    return new Step(status, at, dueDate);
  }

  /** A dossier received at {@code receivedAt} (with intake's status-1 history row), then {@code steps} in order. */
  private static String dossier(String agency, String receivedAt, Step... steps) {
    String id = UUID.randomUUID().toString();
    JsonObject payload = GatewayFixture.birthRegistration().put("handlingAgency", agency);
    pool.preparedQuery(DossierTable.INSERT).execute(DossierTable.params(List.of(DossierTable.NewDossier.of(id,
        "000.00.53.H48-260201-" + CODES.incrementAndGet(), GatewayFixture.CLIENT_ID,
        OffsetDateTime.parse(receivedAt).toInstant().toString(), null, payload.encode(), "1-0", null)))).await();
    events(id, steps);
    return id;
  }

  /**
   * Events recorded as EventStore records them: the dossier's current state (status, last event time, appointment,
   * processing end) and one status-history row carrying the appointment as it stands after the event.
   */
  private static void events(String dossierId, Step... steps) {
    for (Step step : steps) {
      pool.preparedQuery("""
              WITH upd AS (
                UPDATE dossier SET status = $2::int, status_changed_at = $3, due_date = COALESCE($4, due_date),
                       accepted_at = CASE WHEN $2::int = 2 THEN $3 ELSE accepted_at END,
                       processed_at = CASE WHEN $2::int = 9 THEN $3 ELSE processed_at END,
                       returned_at = CASE WHEN $2::int = 10 THEN $3 ELSE returned_at END
                WHERE id = $1 RETURNING id, client_id, due_date)
              INSERT INTO dossier_status_history (dossier_id, status, changed_at, due_date, client_id)
              SELECT id, $2::int, $3, due_date, client_id FROM upd""")
          .execute(Tuple.of(UUID.fromString(dossierId), step.status(), OffsetDateTime.parse(step.at()),
              step.dueDate() == null ? null : LocalDate.parse(step.dueDate())))
          .await();
    }
  }

  /** The dossier's last event (a withdrawal, a stop) happened at {@code at}. */
  private static void ended(String dossierId, String at) {
    pool.preparedQuery("""
            WITH upd AS (UPDATE dossier SET status_changed_at = $2 WHERE id = $1 RETURNING id, status)
            UPDATE dossier_status_history h SET changed_at = $2 FROM upd
            WHERE h.dossier_id = upd.id AND h.status = upd.status""")
        .execute(Tuple.of(UUID.fromString(dossierId), OffsetDateTime.parse(at)))
        .await();
  }

  private static void rating(String dossierId, List<Integer> answers, String at) {
    pool.preparedQuery("INSERT INTO dossier_rating (dossier_id, client_id, channel, answers, satisfied, rated_at) "
            + "VALUES ($1, $2, 'online', $3, $4, $5)")
        .execute(Tuple.of(UUID.fromString(dossierId), GatewayFixture.CLIENT_ID,
            answers.stream().map(Integer::shortValue).toArray(Short[]::new),
            (short) answers.stream().filter(a -> a >= 4).count(), OffsetDateTime.parse(at)))
        .await();
  }
}
