package vn.onewindow.hub;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load as a well-behaved portal sends it: every dossier has its own Idempotency-Key and goes to a
 * receiving unit of its own (so to every partition), round-robin over several gateways; a 503 or a broken connection
 * is retried with the same key and body (after {@link #RETRY_PAUSE_MS}, as a client honouring a short Retry-After)
 * until the 202. Records each key's final receipt, the retries by problem type, and the longest time no 202 arrived.
 */
final class RetryingLoad {
  static final long RETRY_PAUSE_MS = 200;

  /** The receipt a key finally got. */
  record Accepted(String key, String id, String code) {
  }

  final Map<String, Accepted> accepted = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> retriesByProblem = new ConcurrentHashMap<>();
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger unexpected = new AtomicInteger();
  final AtomicLong longestStallMs = new AtomicLong();
  private final AtomicLong lastAcceptedNanos = new AtomicLong();
  private final AtomicInteger sequence = new AtomicInteger();
  private final Vertx vertx;
  private final WebClient client;
  private final List<Integer> ports;
  private final int units;
  private final String runId = Long.toHexString(System.nanoTime());
  private final Promise<Void> done = Promise.promise();
  private final AtomicInteger activeLoops = new AtomicInteger();
  private volatile boolean running = true;

  RetryingLoad(Vertx vertx, List<Integer> ports, int units) {
    this.vertx = vertx;
    this.ports = ports;
    this.units = units;
    this.client = WebClient.create(vertx, new WebClientOptions(new HttpClientOptions().setConnectTimeout(2000))
        .setIdleTimeout(5), new PoolOptions().setHttp1MaxSize(64));
  }

  /** The receiving unit of the n-th dossier: many units, so every partition gets some. */
  static String unit(int n) {
    return String.format("000.%02d.%02d.H%02d", n / 100 % 100, n % 100, 10 + n / 10_000 % 90);
  }

  Future<Void> start(int concurrency) {
    lastAcceptedNanos.set(System.nanoTime());
    activeLoops.set(concurrency);
    for (int i = 0; i < concurrency; i++) {
      next();
    }
    return done.future();
  }

  /** Lets every loop finish the dossier it is on (its retries included), then completes the start future. */
  void stop() {
    running = false;
  }

  private void next() {
    if (!running) {
      if (activeLoops.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    int n = sequence.incrementAndGet();
    JsonObject dossier = new JsonObject(HubEndToEndTest.withApplicant(HubEndToEndTest.example("birth-registration.json"),
        900_000 + n)).put("receivingUnit", unit(n % units));
    send("load-" + runId + "-" + n, dossier.encode(), n);
  }

  private void send(String key, String body, int attempt) {
    requests.incrementAndGet();
    int port = ports.get(Math.floorMod(attempt, ports.size()));
    client.post(port, "127.0.0.1", "/v1/dossiers").putHeader("Content-Type", "application/json")
        .putHeader("X-Api-Key", HubEndToEndTest.API_KEY).putHeader("Idempotency-Key", key)
        .sendBuffer(Buffer.buffer(body))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().statusCode() == 202) {
            accept(key, ar.result());
            next();
            return;
          }
          String why = ar.failed() ? "connection: " + ar.cause().getClass().getSimpleName() : problem(ar.result());
          if (ar.succeeded() && ar.result().statusCode() != 503) {
            unexpected.incrementAndGet();
            retriesByProblem.computeIfAbsent("unexpected " + ar.result().statusCode() + " " + why,
                k -> new AtomicInteger()).incrementAndGet();
            next();
            return;
          }
          retriesByProblem.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
          vertx.setTimer(RETRY_PAUSE_MS, id -> send(key, body, attempt + 1));
        });
  }

  private void accept(String key, HttpResponse<Buffer> response) {
    JsonObject receipt = response.bodyAsJsonObject();
    Accepted previous = accepted.putIfAbsent(key, new Accepted(key, receipt.getString("id"), receipt.getString("code")));
    if (previous != null && !previous.id().equals(receipt.getString("id"))) {
      unexpected.incrementAndGet(); // one key, two receipts: never
    }
    long now = System.nanoTime();
    long gapMs = (now - lastAcceptedNanos.getAndSet(now)) / 1_000_000;
    longestStallMs.accumulateAndGet(gapMs, Math::max);
  }

  private static String problem(HttpResponse<Buffer> response) {
    try {
      String type = response.bodyAsJsonObject().getString("type");
      return type.substring(type.lastIndexOf('/') + 1);
    } catch (RuntimeException notJson) {
      return "status " + response.statusCode();
    }
  }

  int retried() {
    return retriesByProblem.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  String figures() {
    return String.format("%d requests, %d dossiers accepted, %d retries %s, %d unexpected answers, longest stall %d ms",
        requests.get(), accepted.size(), retried(), retriesByProblem, unexpected.get(), longestStallMs.get());
  }
}
