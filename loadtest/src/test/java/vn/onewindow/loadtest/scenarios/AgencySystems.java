package vn.onewindow.loadtest.scenarios;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import vn.onewindow.loadtest.config.LoadConfig;
import vn.onewindow.loadtest.endpoints.AgencyEndpoints;
import vn.onewindow.loadtest.report.AgencyLedger;
import vn.onewindow.loadtest.report.BacklogWatcher;
import vn.onewindow.loadtest.report.RunLedger;

/**
 * The handling agencies' own systems during the surge ({@code -Dprofile=agencies}): one virtual system per handling
 * agency the load submits to, polling its feed every {@code agencyPollMs} from the start and following {@code next};
 * every dossier it receives gets accepted (2, with a due date) and put in processing (4), and a share of the
 * acceptances is sent again (a retry after a timeout) and must replay. After the load has drained, a system stops
 * once two pages in a row come back empty: its feed has delivered everything. Only the run's own dossiers (a 202 in
 * this run) get events: the feeds start at their first dossier, and a hub under test may hold others (earlier runs,
 * or real applicants' on an environment named by --base-url) that a rehearsal must never move.
 */
public final class AgencySystems {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int QUIET_PAGES_TO_STOP = 2;

  private final LoadConfig config;
  private final AgencyLedger ledger;
  private final BacklogWatcher watcher;
  private final RunLedger run;
  private final List<String> agencyCodes;

  public AgencySystems(LoadConfig config, AgencyLedger ledger, BacklogWatcher watcher, RunLedger run,
                       List<String> agencyCodes) {
    this.config = config;
    this.ledger = ledger;
    this.watcher = watcher;
    this.run = run;
    this.agencyCodes = List.copyOf(agencyCodes);
  }

  /** How many systems to inject at once: one per agency code. */
  public int count() {
    return agencyCodes.size();
  }

  public ScenarioBuilder systems() {
    List<Integer> feedOk = config.allowRefusals ? List.of(200, 429, 503) : List.of(200);
    List<Integer> eventOk = config.allowRefusals ? List.of(201, 429, 503) : List.of(201);
    List<Integer> replayOk = config.allowRefusals ? List.of(200, 429, 503) : List.of(200);
    ChainBuilder perDossier = exec(session -> session.set("at2", Instant.now().toString()))
        .exec(send(AgencyEndpoints.event(AgencyEndpoints.EVENT, config, 2, eventOk), false))
        .doIf(session -> ThreadLocalRandom.current().nextDouble() < config.agencyReplayShare).then(
            exec(send(AgencyEndpoints.event(AgencyEndpoints.REPLAY, config, 2, replayOk), true)))
        .exec(session -> session.set("at4", Instant.now().toString()))
        .exec(send(AgencyEndpoints.event(AgencyEndpoints.EVENT, config, 4, eventOk), false));
    return scenario("agency systems")
        .feed(codes())
        .exec(session -> {
          ledger.systemStarted();
          return session.set("cursor", "").set("quiet", 0).set("newIds", List.of());
        })
        .asLongAs(session -> session.getInt("quiet") < QUIET_PAGES_TO_STOP).on(
            exec(session -> session.removeAll(AgencyEndpoints.attributes()))
                .exec(AgencyEndpoints.feed(config, feedOk))
                .exec(this::readPage)
                .foreach(session -> session.getList("newIds"), "dossierId").on(perDossier)
                .pause(config.agencyPoll))
        .exec(session -> {
          ledger.systemFinished();
          return session;
        });
  }

  /** Records the page, moves the cursor, and counts quiet pages once the load has drained. */
  private Session readPage(Session session) {
    Integer status = session.contains(AgencyEndpoints.PREFIX + "status")
        ? session.getInt(AgencyEndpoints.PREFIX + "status") : null;
    List<String> ids = new ArrayList<>();
    String cursor = session.getString("cursor");
    if (status != null && status == 200) {
      try {
        JsonNode page = JSON.readTree(session.getString(AgencyEndpoints.PREFIX + "body"));
        page.path("items").forEach(item -> ids.add(item.path("id").asText()));
        cursor = page.path("next").asText();
      } catch (IOException e) {
        throw new IllegalStateException("feed page is not JSON", e);
      }
      ledger.page(ids);
    }
    int quiet = watcher.done() && status != null && status == 200 && ids.isEmpty() ? session.getInt("quiet") + 1 : 0;
    return session.set("cursor", cursor).set("newIds", ownDossiers(ids, run.acceptedDossiers())).set("quiet", quiet);
  }

  /**
   * The ids of a feed page that got a 202 in this run, in feed order. A dossier of the run whose 202 the ledger has
   * not recorded yet (the feed can only deliver it after its commit, milliseconds after the 202) gets no events:
   * the gates count events recorded and wrong, not one per dossier.
   */
  static List<String> ownDossiers(List<String> page, Map<String, String> acceptedThisRun) {
    return page.stream().filter(acceptedThisRun::containsKey).toList();
  }

  private ChainBuilder send(io.gatling.javaapi.http.HttpRequestActionBuilder request, boolean replay) {
    return exec(session -> session.removeAll(AgencyEndpoints.attributes()))
        .exec(request)
        .exec(session -> {
          Integer status = session.contains(AgencyEndpoints.PREFIX + "status")
              ? session.getInt(AgencyEndpoints.PREFIX + "status") : null;
          long rt = session.contains(AgencyEndpoints.PREFIX + "rt")
              ? session.getInt(AgencyEndpoints.PREFIX + "rt") : -1;
          ledger.event(replay, status, "true".equals(session.getString(AgencyEndpoints.PREFIX + "replayed")), rt,
              session.getString(AgencyEndpoints.PREFIX + "body"));
          return session;
        });
  }

  private Iterator<Map<String, Object>> codes() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public synchronized Map<String, Object> next() {
        return Map.of("agencyCode", agencyCodes.get(next++ % agencyCodes.size()));
      }
    };
  }
}
