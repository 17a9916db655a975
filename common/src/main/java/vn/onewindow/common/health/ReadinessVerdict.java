package vn.onewindow.common.health;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import vn.onewindow.common.metrics.MeterNames.ReadinessCheck;

/**
 * One decision of {@link HealthHandler#readiness}: whether the process is ready and the checks it was decided on, each
 * UP or DOWN, in the order /health/ready names them. The probe's answer and the {@code hub_ready} gauges are both read
 * from it, so they cannot disagree.
 */
public record ReadinessVerdict(boolean ready, Map<ReadinessCheck, Boolean> checks) {
  /** Before any decision: not ready, for no named reason (never scraped: each scrape decides first). */
  static final ReadinessVerdict UNDECIDED = new ReadinessVerdict(false, Map.of());

  public ReadinessVerdict {
    checks = Collections.unmodifiableMap(new LinkedHashMap<>(checks));
  }

  /** Draining or warming up: DOWN whatever the stores, which are not asked. */
  static ReadinessVerdict holding(ReadinessCheck check) {
    return new ReadinessVerdict(false, Map.of(check, false));
  }

  /** The stores' answers and whether they make this role ready ({@code degraded.ready-with-one-store}). */
  static ReadinessVerdict stores(boolean ready, boolean redisUp, boolean postgresUp) {
    Map<ReadinessCheck, Boolean> checks = new LinkedHashMap<>();
    checks.put(ReadinessCheck.REDIS, redisUp);
    checks.put(ReadinessCheck.POSTGRES, postgresUp);
    return new ReadinessVerdict(ready, checks);
  }

  /**
   * Whether {@code check} is a reason this process is not ready: it failed and the verdict is DOWN (a store DOWN
   * while a gateway stays ready with the other one is none).
   */
  public boolean blockedBy(ReadinessCheck check) {
    return !ready && Boolean.FALSE.equals(checks.get(check));
  }

  public int statusCode() {
    return ready ? 200 : 503;
  }

  /** The /health/ready body: {"status":"UP"|"DOWN","checks":[{"id":"redis","status":"UP"},...]}. */
  public JsonObject body() {
    JsonArray named = new JsonArray();
    checks.forEach((check, up) -> named.add(new JsonObject().put("id", check.id()).put("status", up ? "UP" : "DOWN")));
    return new JsonObject().put("status", ready ? "UP" : "DOWN").put("checks", named);
  }
}
