package vn.onewindow.gateway.stats;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.UUID;
import vn.onewindow.gateway.GatewayFixture;

/** The dossiers the ranking tests count by hand, and the statistics pool's meter they read. */
final class RankedDossiers {
  private RankedDossiers() {
  }

  /**
   * A dossier of {@code agency} at {@code status}, as its last event (at noon on {@code day} in Vietnam) left it,
   * received a week before; processed on that day when the status is 9.
   */
  static void dossier(GatewayFixture gw, Pool pool, String agency, int status, String day, String dueDate) {
    String id = UUID.randomUUID().toString();
    OffsetDateTime at = OffsetDateTime.parse(day + "T12:00:00+07:00");
    gw.recordDossier(pool, id, "000.00.53.H48-" + day.substring(2, 4) + day.substring(5, 7) + "01");
    pool.preparedQuery("UPDATE dossier SET handling_agency = $2, status = $3, received_at = $4, status_changed_at = $5, "
            + "due_date = $6, processed_at = CASE WHEN $3 = 9 THEN $5 END WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(id), agency, status, at.minusDays(7), at,
            dueDate == null ? null : LocalDate.parse(dueDate)))
        .await();
  }

  /** How often the statistics pool lent its one connection (Vert.x's pool meter, {@code vertx_pool_completed_total}). */
  static double statisticsPoolLent(GatewayFixture gw) {
    // the pool's name is its role and a hash of the server (PostgresClients.poolName)
    return gw.registry.find("vertx.pool.completed").counters().stream()
        .filter(c -> c.getId().getTag("pool_name").startsWith("stats-")).mapToDouble(c -> c.count()).sum();
  }
}
