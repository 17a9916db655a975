package vn.onewindow.gateway.submit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.DossierConfig;

/**
 * Whether the direct path (Redis down) may have stored dossiers whose Idempotency-Key is still remembered, or Redis
 * lost the idempotency records of dossiers written before (a seeding found codes: V18 code_seeding): then a keyed
 * submission that reaches Redis first looks its key up in PostgreSQL, so a key first used while Redis was down, or
 * before Redis lost its data, and retried now gets the same receipt. One per gateway process: a cheap periodic query of the
 * direct path's own small table ({@code dossier_code_sequence}, one row per unit and day it served), plus this
 * process's own direct writes at once. Conservative by up to a day (the table keeps dates), never short.
 */
public final class RecentDirectWrites {
  private static final Logger LOG = LoggerFactory.getLogger(RecentDirectWrites.class);
  /** The direct path's latest day, or the latest seeding that found codes (Redis lost its idempotency records). */
  private static final String LATEST = """
      SELECT greatest((SELECT max(receipt_date) FROM dossier_code_sequence),
                      (SELECT max(receipt_date) FROM code_seeding))""";

  private final DossierConfig config;
  private final Clock clock;
  private final AtomicReference<LocalDate> latest = new AtomicReference<>();

  RecentDirectWrites(DossierConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** Takes a first reading (a PostgreSQL that does not answer leaves the flag off), then one per direct-check-ms. */
  public static Future<RecentDirectWrites> start(Vertx vertx, Pool pool, DossierConfig config) {
    RecentDirectWrites recent = new RecentDirectWrites(config, Clock.systemUTC());
    return recent.refresh(pool)
        .onComplete(ignored -> vertx.setPeriodic(config.directCheck().toMillis(), id -> recent.refresh(pool)))
        .map(recent);
  }

  /** True while a direct-path dossier may be younger than the idempotency TTL. */
  public boolean active() {
    LocalDate last = latest.get();
    return last != null && !last.isBefore(clock.instant().minus(config.idempotencyTtl()).atZone(config.zone())
        .toLocalDate());
  }

  /** This process just wrote a dossier directly: no need to wait for the next reading. */
  void noted(LocalDate receiptDate) {
    latest.accumulateAndGet(receiptDate, (a, b) -> a == null || b.isAfter(a) ? b : a);
  }

  private Future<Void> refresh(Pool pool) {
    return pool.query(LATEST).execute()
        .timeout(config.directCheck().toMillis(), TimeUnit.MILLISECONDS)
        .onSuccess(rows -> {
          LocalDate day = rows.iterator().next().getLocalDate(0);
          if (day != null) {
            noted(day);
          }
        })
        .onFailure(err -> LOG.debug("direct-path check failed, keeping the last reading: {}", err.toString()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }
}
