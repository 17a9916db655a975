package vn.onewindow.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vn.onewindow.loadtest.config.LoadConfig;
import vn.onewindow.loadtest.config.Profile;
import vn.onewindow.loadtest.data.AgencyCodes;
import vn.onewindow.loadtest.data.Catalogue;
import vn.onewindow.loadtest.data.DossierFactory;
import vn.onewindow.loadtest.endpoints.BaseUrlCheck;
import vn.onewindow.loadtest.endpoints.Endpoints;
import vn.onewindow.loadtest.hub.LocalHub;
import vn.onewindow.loadtest.report.AgencyLedger;
import vn.onewindow.loadtest.report.BacklogWatcher;
import vn.onewindow.loadtest.report.Gates;
import vn.onewindow.loadtest.report.Gates.Gate;
import vn.onewindow.loadtest.report.RunLedger;
import vn.onewindow.loadtest.report.Verdict;
import vn.onewindow.loadtest.scenarios.AgencySystems;
import vn.onewindow.loadtest.scenarios.Feeders;
import vn.onewindow.loadtest.scenarios.Scenarios;

/**
 * The intake hub under load: {@code -Dprofile=smoke|steady|surge|spike|soak|fairness|agencies} (see
 * {@link LoadConfig} for every property). Without {@code -DbaseUrl} it starts the hub from {@code hub/target/hub.jar} on free ports with
 * throw-away embedded servers, and stops it afterwards. After the load it waits for the backlog to drain, checks
 * that every 202 is in PostgreSQL exactly once, and fails the run (and so {@code mvn verify}) when a gate fails.
 * Results: Gatling's HTML report under target/gatling, and verdict.txt, timeline.csv, accepted-ids.txt under
 * target/loadtest/&lt;profile&gt;-&lt;run id&gt;.
 */
public class IntakeSimulation extends Simulation {

  private final LoadConfig config;
  private final LocalHub hub;
  private final RunLedger ledger = new RunLedger();
  private final BacklogWatcher watcher;
  private final Scenarios scenarios;
  private final AgencyLedger agencies = new AgencyLedger();

  {
    LoadConfig requested = LoadConfig.fromSystemProperties();
    if (requested.hubMode == LoadConfig.HubMode.LOCAL) {
      hub = LocalHub.prepare(requested);
      config = requested.withLocalHub(hub.httpPort(), hub.postgresPort());
    } else {
      hub = null;
      config = requested;
    }
    Catalogue catalogue = Catalogue.load();
    System.out.println("load test configuration:");
    for (Map.Entry<String, String> e : config.describe().entrySet()) {
      System.out.printf("  %-26s %s%n", e.getKey(), e.getValue());
    }
    System.out.printf("  %-26s %d active of %d procedures (catalogue %s)%n", "catalogue", catalogue.active().size(),
        catalogue.total(), catalogue.version());

    watcher = new BacklogWatcher(config, ledger);
    AgencyCodes codes = AgencyCodes.load();
    DossierFactory factory = new DossierFactory(catalogue, codes);
    scenarios = new Scenarios(config, ledger, watcher, new Feeders(config, factory), agencies);

    // warm-up (not judged) -> the profile's load (citizens, and the abuser in parallel) -> drain, reconcile, gates
    List<PopulationBuilder> load = new ArrayList<>(List.of(scenarios.citizens()
        .injectOpen(config.profile.citizens(config))
        .andThen(scenarios.gates().injectOpen(atOnceUsers(1)))));
    if (config.profile == Profile.FAIRNESS) {
      load.add(scenarios.abuser().injectOpen(config.profile.abuser(config)));
    }
    if (config.profile == Profile.AGENCIES) {
      // one system per handling agency the load can submit to, polling from the first dossier on
      AgencySystems systems = new AgencySystems(config, agencies, watcher, ledger,
          factory.handlingAgencies());
      load.add(systems.systems().injectOpen(atOnceUsers(systems.count())));
    }
    List<PopulationBuilder> populations = load;
    if (!Profile.warmUp(config).isEmpty()) {
      PopulationBuilder warmUp = scenarios.warmUp().injectOpen(Profile.warmUp(config)).andThen(load);
      populations = Profile.abuserWarmUp(config).isEmpty() ? List.of(warmUp)
          : List.of(warmUp, scenarios.abuserWarmUp().injectOpen(Profile.abuserWarmUp(config)));
    }

    List<Assertion> assertions = new ArrayList<>();
    // any KO: a 5xx, a connection error, a wrong status, a retry that did not replay its receipt, a failed gate
    assertions.add(global().failedRequests().count().is(0L));
    if (!config.allowRefusals) {
      assertions.add(details(Endpoints.SUBMIT).responseTime().percentile(99.0).lt((int) config.sloP99Millis));
    }
    for (String gate : Gates.names(config)) {
      assertions.add(details(gate).successfulRequests().count().is(1L));
    }

    Duration bound = config.warmUp.plus(config.injectionDuration()).plus(config.drainTimeout).plusMinutes(3);
    setUp(populations)
        .protocols(Endpoints.protocol(config))
        .assertions(assertions)
        .maxDuration(bound);
  }

  @Override
  public void before() {
    if (hub != null) {
      hub.start();
      watcher.measureRss(hub::rssBytes);
    } else {
      // a wrong --base-url fails here too, before any load
      BaseUrlCheck.check(config);
    }
    // a wrong --pg-url fails here, before any load, not after the load and the drain timeout
    watcher.reconciler().checkReachable();
    ledger.markStart();
    watcher.start();
  }

  @Override
  public void after() {
    try {
      if (!watcher.done()) {
        // the gate scenario did not get to it (the run was cut short): still measure and reconcile
        watcher.loadFinished();
        long deadline = System.currentTimeMillis() + config.drainTimeout.toMillis() + 10_000;
        while (!watcher.done() && System.currentTimeMillis() < deadline) {
          Thread.sleep(250);
        }
      }
      watcher.close();
      List<Gate> gates = scenarios.evaluatedGates() != null ? scenarios.evaluatedGates()
          : Gates.evaluate(config, ledger, watcher, agencies);
      List<String> lines = new ArrayList<>(List.of("gates:"));
      gates.forEach(g -> lines.add(g.line()));
      String verdict = Verdict.render(config, ledger, watcher, lines);
      Verdict.write(config.outputDir, ledger, verdict);
      System.out.println();
      System.out.print(verdict);
      System.out.println("run files: " + config.outputDir + " (verdict.txt, timeline.csv, accepted-ids.txt"
          + (hub != null ? ", hub.log" : "") + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (hub != null) {
        // stop the hub while Gatling writes its report; the JVM's shutdown hook waits for the stop to finish
        Thread stop = new Thread(hub::stop, "loadtest-hub-stop");
        stop.start();
      }
    }
  }
}
