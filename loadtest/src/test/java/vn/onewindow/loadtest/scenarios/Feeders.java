package vn.onewindow.loadtest.scenarios;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import vn.onewindow.loadtest.config.LoadConfig;
import vn.onewindow.loadtest.data.DossierFactory;
import vn.onewindow.loadtest.data.DossierFactory.Dossier;
import vn.onewindow.loadtest.report.Reconciler;

/**
 * Endless feeders: one fresh dossier per virtual user, with its Idempotency-Key (unique in the run and prefixed
 * with the run id, so the reconciliation can find every row of the run), its API key, and whether this citizen
 * will retry or look the status up. Each record is built from a fresh sequence number and thread-local randomness
 * only, so the feeders are safe to call from any of Gatling's threads.
 */
public final class Feeders {
  private final LoadConfig config;
  private final DossierFactory factory;
  private final AtomicLong sequence = new AtomicLong();

  public Feeders(LoadConfig config, DossierFactory factory) {
    this.config = config;
    this.factory = factory;
  }

  public Iterator<Map<String, Object>> citizens() {
    return endless(n -> {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      return record(factory.next(), "c-" + n, config.apiKeyFor(n), r.nextDouble() < config.retryShare,
          r.nextDouble() < config.statusShare);
    });
  }

  public Iterator<Map<String, Object>> abuser() {
    return endless(n -> record(factory.next(), "a-" + n, config.abuserApiKey, false, false));
  }

  private Map<String, Object> record(Dossier d, String key, String apiKey, boolean retry, boolean status) {
    return Map.of(
        "body", d.body(),
        "procedureCode", d.procedureCode(),
        "idemKey", Reconciler.keyPrefix(config) + key,
        "apiKey", apiKey,
        "wantRetry", retry,
        "wantStatus", status);
  }

  private Iterator<Map<String, Object>> endless(LongFunction<Map<String, Object>> make) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Map<String, Object> next() {
        return make.apply(sequence.incrementAndGet());
      }
    };
  }
}
