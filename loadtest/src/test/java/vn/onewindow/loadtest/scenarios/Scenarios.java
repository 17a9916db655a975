package vn.onewindow.loadtest.scenarios;

import static io.gatling.javaapi.core.CoreDsl.asLongAsDuring;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import vn.onewindow.loadtest.config.LoadConfig;
import vn.onewindow.loadtest.endpoints.Endpoints;
import vn.onewindow.loadtest.report.AgencyLedger;
import vn.onewindow.loadtest.report.BacklogWatcher;
import vn.onewindow.loadtest.report.Gates;
import vn.onewindow.loadtest.report.Gates.Gate;
import vn.onewindow.loadtest.report.RunLedger;
import vn.onewindow.loadtest.report.RunLedger.Client;
import vn.onewindow.loadtest.report.RunLedger.Kind;
import vn.onewindow.loadtest.report.RunLedger.Outcome;

/**
 * What the virtual users do. A citizen submits one dossier; a share of them retry it at once with the same
 * Idempotency-Key (a double click, a flaky mobile network) and a share look its status up right after the 202.
 * The abusive client only submits, as fast as the fairness profile says. The last scenario waits for the backlog to
 * drain, reconciles, and turns every gate into a request.
 */
public final class Scenarios {
  private static final String SENT_AT = "sentAt";

  private final LoadConfig config;
  private final RunLedger ledger;
  private final BacklogWatcher watcher;
  private final Feeders feeders;
  private final AgencyLedger agencies;
  private volatile List<Gate> gates;

  public Scenarios(LoadConfig config, RunLedger ledger, BacklogWatcher watcher, Feeders feeders,
                   AgencyLedger agencies) {
    this.config = config;
    this.ledger = ledger;
    this.watcher = watcher;
    this.feeders = feeders;
    this.agencies = agencies;
  }

  /** Statuses that are a correct answer for a well-behaved client's submission in this run. */
  private List<Integer> allowed(int ok) {
    return config.allowRefusals ? List.of(ok, 429, 503) : List.of(ok);
  }

  public ScenarioBuilder citizens() {
    return scenario("well-behaved citizens")
        .exec(started())
        .feed(feeders.citizens())
        .exec(send(Endpoints.SUB, Endpoints.submit(Endpoints.SUBMIT, config, allowed(202)), Client.CITIZEN, Kind.SUBMIT))
        .doIf(session -> session.getBoolean("accepted") && session.getBoolean("wantRetry")).then(
            pause(Duration.ofMillis(50), Duration.ofMillis(500))
                .exec(send(Endpoints.RE, Endpoints.retry(config, allowed(202)), Client.CITIZEN, Kind.RETRY)))
        .doIf(session -> session.getBoolean("accepted") && session.getBoolean("wantStatus")).then(
            pause(Duration.ofMillis(200), Duration.ofMillis(1500))
                .exec(send(Endpoints.ST, Endpoints.statusLookup(config, allowed(200)), Client.CITIZEN, Kind.STATUS)))
        .exec(finished());
  }

  /** Submissions only, before the measured load; judged like the citizens' but not timed. */
  public ScenarioBuilder warmUp() {
    return scenario("warm-up")
        .exec(started())
        .feed(feeders.citizens())
        .exec(send(Endpoints.SUB, Endpoints.submit(Endpoints.WARMUP_SUBMIT, config, allowed(202)), Client.WARMUP,
            Kind.SUBMIT))
        .exec(finished());
  }

  public ScenarioBuilder abuser() {
    return abuser("abusive client", Endpoints.ABUSER_SUBMIT);
  }

  public ScenarioBuilder abuserWarmUp() {
    return abuser("warm-up: abusive client", Endpoints.WARMUP_ABUSER_SUBMIT);
  }

  private ScenarioBuilder abuser(String scenario, String request) {
    return scenario(scenario)
        .exec(started())
        .feed(feeders.abuser())
        .exec(send(Endpoints.SUB, Endpoints.submit(request, config, List.of(202, 429)), Client.ABUSER, Kind.SUBMIT))
        .exec(finished());
  }

  /**
   * Runs once after the citizens: wait for every user, drain, reconcile, let the agency systems catch up, then one
   * request per gate.
   */
  public ScenarioBuilder gates() {
    ChainBuilder chain = exec(session -> session)
        .asLongAs(session -> ledger.inFlightUsers() > 0).on(pause(Duration.ofMillis(200)))
        .exec(session -> {
          watcher.loadFinished();
          return session;
        })
        .exec(asLongAsDuring(session -> !watcher.done(), config.drainTimeout.plusSeconds(60))
            .on(pause(Duration.ofMillis(250))))
        // agency systems (agencies profile) read their feeds to the end of the drained load before judging them
        .exec(asLongAsDuring(session -> agencies.activeSystems() > 0, config.agencyPoll.multipliedBy(4)
            .plusSeconds(60)).on(pause(Duration.ofMillis(250))))
        .exec(session -> {
          gates = Gates.evaluate(config, ledger, watcher, agencies);
          return session;
        });
    for (String name : Gates.names(config)) {
      chain = chain.exec(Endpoints.gate(name, () -> gate(name)));
    }
    return scenario("reconciliation and gates").exec(chain);
  }

  /** The evaluated gates (null before the gate scenario ran). */
  public List<Gate> evaluatedGates() {
    return gates;
  }

  private Gate gate(String name) {
    List<Gate> g = gates;
    return g == null ? null : g.stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
  }

  private ChainBuilder started() {
    return exec(session -> {
      ledger.userStarted();
      return session;
    });
  }

  private ChainBuilder finished() {
    return exec(session -> {
      ledger.userFinished();
      return session;
    });
  }

  /** Clears the request's attributes, notes the send time, sends, classifies the outcome. */
  private ChainBuilder send(String prefix, io.gatling.javaapi.http.HttpRequestActionBuilder request, Client client,
                            Kind kind) {
    return exec(session -> session.removeAll(Endpoints.attributes(prefix)).set(SENT_AT, System.currentTimeMillis()))
        .exec(request)
        .exec(session -> record(session, prefix, client, kind));
  }

  private Session record(Session session, String prefix, Client client, Kind kind) {
    Integer status = session.contains(prefix + "status") ? session.getInt(prefix + "status") : null;
    long rt = session.contains(prefix + "rt") ? session.getInt(prefix + "rt") : -1;
    boolean replayed = "true".equalsIgnoreCase(session.getString(prefix + "replayed"));
    String problem = session.getString(prefix + "problem");
    if (problem != null) {
      problem = problem.substring(problem.lastIndexOf('/') + 1);
    }
    Outcome outcome = ledger.record(client, kind, status, session.getLong(SENT_AT), rt, replayed, problem);
    if (outcome == Outcome.UNEXPECTED || outcome == Outcome.SERVER_ERROR || outcome == Outcome.NO_RESPONSE) {
      ledger.unexpected(client + " " + kind + " " + (status == null ? "no response" : status) + " key="
          + session.getString("idemKey") + " " + session.getString(prefix + "body"));
    }
    String id = session.getString(prefix + "id");
    String code = session.getString(prefix + "code");
    switch (kind) {
      case SUBMIT -> {
        if (outcome == Outcome.OK && id != null) {
          ledger.accepted(id, code);
        } else {
          ledger.notAccepted(session.getString("idemKey"), status == null ? "no response"
              : status + (problem == null ? "" : " " + problem));
        }
        return session.set("accepted", outcome == Outcome.OK && id != null);
      }
      case RETRY -> {
        if (status != null && status == 202 && (!replayed
            || !Objects.equals(id, session.getString(Endpoints.SUB + "id"))
            || !Objects.equals(code, session.getString(Endpoints.SUB + "code")))) {
          ledger.replayMismatch();
        }
        return session;
      }
      case STATUS -> {
        if (status != null && status == 200 && (!Objects.equals(id, session.getString(Endpoints.SUB + "id"))
            || !Objects.equals(code, session.getString(Endpoints.SUB + "code")))) {
          ledger.statusMismatch();
        }
        return session;
      }
      default -> throw new IllegalStateException(kind.name());
    }
  }
}
