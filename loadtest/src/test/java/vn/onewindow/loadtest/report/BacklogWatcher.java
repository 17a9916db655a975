package vn.onewindow.loadtest.report;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import vn.onewindow.loadtest.config.LoadConfig;

/**
 * A background thread that follows the backlog during and after the load: it polls PostgreSQL for the dossiers
 * accepted so far (through the {@link Reconciler}) and scrapes the hub's {@code /metrics} for the stream gauges
 * ({@code hub_stream_length}, {@code hub_stream_lag}) when the hub has them, and for its JVM's memory and GC meters
 * ({@link HubMemory}). Once the load is over it samples faster,
 * notes when the backlog drained, then runs the final reconciliation. Doing this off Gatling's event loops keeps
 * JDBC and HTTP scraping out of the load generator's hot path.
 */
public final class BacklogWatcher implements AutoCloseable {
  private static final Duration FAST = Duration.ofMillis(200);
  /** After PostgreSQL drained, how long to wait for the (periodically refreshed) stream gauges to show it too. */
  private static final Duration GAUGE_GRACE = Duration.ofSeconds(15);

  private final LoadConfig config;
  private final RunLedger ledger;
  private final Reconciler reconciler;
  private final HubMemory memory = new HubMemory();
  private volatile LongSupplier rss = () -> -1;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Thread thread;
  private volatile boolean stopped;
  private volatile long loadFinishedAt;
  private volatile long drainedAt;
  private volatile long gaugeDrainedAt;
  private volatile boolean gaugesSeen;
  private volatile long peakBacklog;
  private volatile double peakStreamLength = -1;
  private volatile Reconciler.Result result;
  private volatile String metricsError;

  public BacklogWatcher(LoadConfig config, RunLedger ledger) {
    this.config = config;
    this.ledger = ledger;
    this.reconciler = new Reconciler(config, ledger);
    this.thread = new Thread(this::run, "loadtest-backlog-watcher");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Called once every virtual user finished: from now on, measure the drain and then reconcile. */
  public void loadFinished() {
    if (loadFinishedAt == 0) {
      loadFinishedAt = Math.max(ledger.lastResponseMillis(), 1);
    }
  }

  public boolean done() {
    return result != null;
  }

  public Reconciler.Result result() {
    return result;
  }

  public long loadFinishedAt() {
    return loadFinishedAt;
  }

  /** Milliseconds from the last response to the moment every accepted dossier was in PostgreSQL; -1 if never. */
  public long drainMillis() {
    return drainedAt == 0 ? -1 : Math.max(0, drainedAt - loadFinishedAt);
  }

  /** Same, by the hub's hub_stream_length gauge; -1 if the gauge is absent or never reached 0. */
  public long gaugeDrainMillis() {
    return gaugeDrainedAt == 0 ? -1 : Math.max(0, gaugeDrainedAt - loadFinishedAt);
  }

  public boolean gaugesSeen() {
    return gaugesSeen;
  }

  public long peakBacklog() {
    return peakBacklog;
  }

  public double peakStreamLength() {
    return peakStreamLength;
  }

  public String metricsError() {
    return metricsError;
  }

  /** The hub's memory, sampled from the same scrapes. */
  public HubMemory memory() {
    return memory;
  }

  /** Where the hub's resident set comes from (bytes, -1 when unknown): a hub this run started. */
  public void measureRss(LongSupplier rss) {
    this.rss = rss;
  }

  public Reconciler reconciler() {
    return reconciler;
  }

  private void run() {
    while (!stopped && result == null) {
      try {
        Thread.sleep((loadFinishedAt > 0 ? FAST : config.samplePeriod).toMillis());
      } catch (InterruptedException e) {
        return;
      }
      long now = System.currentTimeMillis();
      boolean pgOk = !config.reconcile || reconciler.poll();
      Map<String, Double> metrics = scrape();
      String error = metricsError;
      if (metrics.isEmpty() && error != null) {
        memory.unreachable(error);
      } else {
        memory.sample(ledger, now, metrics, rss.getAsLong());
      }
      RunLedger.Second s = ledger.second(now);
      if (config.reconcile && pgOk) {
        long backlog = reconciler.backlog();
        s.backlog = backlog;
        s.confirmed = reconciler.confirmed();
        peakBacklog = Math.max(peakBacklog, backlog);
      }
      Double length = metrics.get("hub_stream_length");
      Double lag = metrics.get("hub_stream_lag");
      if (length != null) {
        gaugesSeen = true;
        s.streamLength = length;
        peakStreamLength = Math.max(peakStreamLength, length);
      }
      if (lag != null) {
        s.streamLag = lag;
      }
      if (loadFinishedAt == 0) {
        continue;
      }
      if (gaugeDrainedAt == 0 && length != null && length <= 0 && (lag == null || lag <= 0)) {
        gaugeDrainedAt = now;
      }
      boolean pgDrained = config.reconcile ? pgOk && reconciler.backlog() == 0 : gaugeDrainedAt != 0;
      if (drainedAt == 0 && pgDrained) {
        drainedAt = now;
      }
      boolean timedOut = now - loadFinishedAt > config.drainTimeout.toMillis();
      boolean gaugesSettled = !gaugesSeen || gaugeDrainedAt != 0 || drainedAt != 0 && now - drainedAt > GAUGE_GRACE.toMillis();
      if (drainedAt != 0 && gaugesSettled || timedOut) {
        result = reconciler.finish();
      }
    }
  }

  /** Every metric's samples added up, and some by label ({@link MetricsText}); empty when /metrics does not answer. */
  private Map<String, Double> scrape() {
    Map<String, Double> out = new HashMap<>();
    try {
      HttpResponse<java.util.stream.Stream<String>> response = http.send(
          HttpRequest.newBuilder(URI.create(config.baseUrl + "/metrics")).timeout(Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.ofLines());
      if (response.statusCode() != 200) {
        metricsError = "/metrics answered " + response.statusCode();
        response.body().close();
        return out;
      }
      try (var lines = response.body()) {
        out.putAll(MetricsText.parse(lines));
      }
      metricsError = null;
    } catch (Exception e) {
      metricsError = "/metrics: " + e;
    }
    return out;
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reconciler.close();
  }
}
