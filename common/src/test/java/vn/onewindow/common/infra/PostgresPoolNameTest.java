package vn.onewindow.common.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.PostgresConfig;
import vn.onewindow.common.metrics.Observability;

/**
 * The pool's name is the {@code pool_name} label of the Vert.x pool meters on /metrics. It was the role and the hex
 * {@code String.hashCode()} of the whole URL, the password included: a 32-bit function of the password on a page
 * anyone with the metrics reads, enough to test guesses offline (a short password is narrowed to a handful), and a
 * new series at every password rotation. No connection is opened here: the label exists from the pool's creation.
 */
class PostgresPoolNameTest {
  private static final Pattern SQL_POOL = Pattern.compile("vertx_pool_\\w+\\{pool_name=\"([^\"]*)\",pool_type=\"sql\"");

  @Test
  void namesThePoolWithoutAnythingDerivedFromItsPassword() {
    PrometheusMeterRegistry registry = Observability.registry();
    Vertx vertx = Observability.vertx(registry);
    try {
      String first = "postgresql://hub:first-secret@db.example:5432/hub";
      String second = "postgresql://hub:second-secret@db.example:5432/hub";
      String query = "postgresql://db.example:5432/hub?user=hub&password=third-secret";
      Pool a = PostgresClients.pool(vertx, PostgresConfig.of(first), "metrics");
      Pool b = PostgresClients.pool(vertx, PostgresConfig.of(second), "metrics");
      Pool c = PostgresClients.pool(vertx, PostgresConfig.of(query), "metrics");

      List<String> names = poolNames(registry.scrape());
      assertThat(names).as("one server, one database, one user: one pool name whatever the password")
          .containsOnly(names.get(0));
      for (String url : List.of(first, second, query)) {
        assertThat(names.get(0)).as(url).doesNotContain(Integer.toHexString(url.hashCode()));
      }
      a.close();
      b.close();
      c.close();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void keepsPoolsOfOtherServersApart() {
    PrometheusMeterRegistry registry = Observability.registry();
    Vertx vertx = Observability.vertx(registry);
    try {
      PostgresClients.pool(vertx, PostgresConfig.of("postgresql://hub:pw@primary.example:5432/hub"), "reads");
      PostgresClients.pool(vertx, PostgresConfig.of("postgresql://hub:pw@replica.example:5432/hub"), "reads");
      PostgresClients.pool(vertx, PostgresConfig.of("postgresql://hub:pw@primary.example:5433/hub"), "reads");
      PostgresClients.pool(vertx, PostgresConfig.of("postgresql://other:pw@primary.example:5432/hub"), "reads");
      PostgresClients.pool(vertx, PostgresConfig.of("postgresql://hub:pw@primary.example:5432/other"), "reads");

      assertThat(poolNames(registry.scrape()).stream().distinct().count()).isEqualTo(5);
    } finally {
      vertx.close().await();
    }
  }

  private static List<String> poolNames(String scrape) {
    return scrape.lines().filter(line -> line.startsWith("vertx_pool_in_use{")).map(SQL_POOL::matcher)
        .filter(Matcher::find).map(m -> m.group(1)).collect(Collectors.toList());
  }
}
