package vn.onewindow.loadtest.report;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import vn.onewindow.loadtest.config.LoadConfig;

/**
 * Checks the hub's promise end to end: every dossier that got a 202 is in PostgreSQL exactly once, under the code
 * its receipt gave. During the run it looks up newly accepted ids by primary key (cheap, so it also measures the
 * backlog and the drain precisely); at the end it adds the checks that need the whole set. Used from one thread.
 */
public final class Reconciler implements AutoCloseable {
  private static final int CHUNK = 5000;

  /** The outcome, one line per fact. */
  public record Result(boolean checked, String skippedReason, long acceptedDistinct, long acceptedResponses,
                       long persisted, long missing, long duplicateReceipts, long duplicateCodesInReceipts,
                       long duplicateCodesInDatabase, long codeMismatches, long runRowsInDatabase,
                       long duplicateKeys, List<String> duplicateKeySample, Map<String, Long> persistedWithout202,
                       long persistedAfterRefusal, String error) {

    public boolean passed() {
      if (!checked) {
        return skippedReason != null && error == null;
      }
      return error == null && missing == 0 && duplicateReceipts == 0 && duplicateCodesInReceipts == 0
          && duplicateCodesInDatabase == 0 && codeMismatches == 0 && duplicateKeys <= 0 && persistedAfterRefusal == 0;
    }

    public String summary() {
      if (!checked) {
        return error != null ? "FAILED: " + error : "SKIPPED: " + skippedReason;
      }
      StringBuilder sb = new StringBuilder(passed() ? "PASS" : "FAIL");
      sb.append(": ").append(acceptedDistinct).append(" distinct dossiers got a 202, ").append(persisted)
          .append(" of them persisted, ").append(missing).append(" missing");
      sb.append("; duplicates: ").append(duplicateReceipts).append(" receipts, ").append(duplicateCodesInReceipts)
          .append(" codes in receipts, ").append(duplicateCodesInDatabase).append(" codes in PostgreSQL, ")
          .append(duplicateKeys < 0 ? "n/a" : Long.toString(duplicateKeys))
          .append(" Idempotency-Keys stored as more than one dossier");
      sb.append("; code mismatches: ").append(codeMismatches);
      long without = persistedWithout202.values().stream().mapToLong(Long::longValue).sum();
      sb.append("; persisted without a 202: ").append(runRowsInDatabase < 0 ? "n/a" : Long.toString(without));
      if (without > 0) {
        sb.append(" (their requests got: ").append(persistedWithout202).append(')');
      }
      if (persistedAfterRefusal > 0) {
        sb.append("; ").append(persistedAfterRefusal)
            .append(" of them after a definitive refusal (429 or a 503 other than upstream-unavailable) or unexplained");
      }
      if (error != null) {
        sb.append("; error: ").append(error);
      }
      if (!duplicateKeySample.isEmpty()) {
        sb.append("; e.g. ").append(duplicateKeySample);
      }
      return sb.toString();
    }
  }

  /**
   * Answers after which the dossier may or may not have been queued (the hub timed out on Redis, or the answer was
   * lost): a retry with the same Idempotency-Key returns the receipt, so a row without a 202 is expected.
   */
  static boolean ambiguous(String answer) {
    return answer.equals("no response") || answer.startsWith("503 upstream-unavailable") || answer.equals("503")
        || answer.startsWith("5") && !answer.startsWith("503");
  }

  private final LoadConfig config;
  private final RunLedger ledger;
  private final Set<String> unconfirmed = new HashSet<>();
  /** Filled by {@link #finish}: accepted ids without a row at the end, those seen during the run included. */
  private final Set<String> missingAtEnd = new HashSet<>();
  private Connection connection;
  private long confirmed;
  private long codeMismatches;
  private String lastError;

  public Reconciler(LoadConfig config, RunLedger ledger) {
    this.config = config;
    this.ledger = ledger;
  }

  /** Looks up ids accepted since the last call and ids still missing; false when PostgreSQL could not be asked. */
  public boolean poll() {
    String id;
    while ((id = ledger.pollFresh()) != null) {
      unconfirmed.add(id);
    }
    if (unconfirmed.isEmpty()) {
      return true;
    }
    try {
      Map<String, String> receipts = ledger.acceptedDossiers();
      for (Map.Entry<String, String> row : rows(connection(), new ArrayList<>(unconfirmed)).entrySet()) {
        if (unconfirmed.remove(row.getKey())) {
          confirmed++;
          if (!row.getValue().equals(receipts.get(row.getKey()))) {
            codeMismatches++;
          }
        }
      }
      lastError = null;
      return true;
    } catch (SQLException e) {
      lastError = config.withPgUrlShown(e.getMessage());
      closeQuietly();
      return false;
    }
  }

  /**
   * Before the load: the reconciliation's PostgreSQL answers and holds the dossier table. A wrong --pg-url (a typo,
   * the port of another hub, a database that is down) was otherwise found only after the load and the whole drain
   * timeout, when the run had already cost the hub its load.
   */
  public void checkReachable() {
    if (!config.reconcile) {
      return;
    }
    try (PreparedStatement ps = connection().prepareStatement("SELECT 1 FROM dossier LIMIT 0")) {
      ps.executeQuery().close();
    } catch (SQLException e) {
      closeQuietly();
      throw new IllegalStateException("the reconciliation cannot read the hub's dossiers at " + config.pgUrlShown
          + " (--pg-url / -DpgUrl, user " + config.pgUser + "): " + config.withPgUrlShown(e.getMessage())
          + "; nothing was sent to the hub (-Dreconcile=false runs without the reconciliation)");
    }
  }

  public long confirmed() {
    return confirmed;
  }

  /** Accepted and not (yet) seen in PostgreSQL, including ids not polled yet. */
  public long backlog() {
    return ledger.acceptedDossiers().size() - confirmed;
  }

  public String lastError() {
    return lastError;
  }

  /** The final verdict, once the backlog drained or the drain timeout passed. */
  public Result finish() {
    Map<String, String> receipts = ledger.acceptedDossiers();
    long distinctCodes = new HashSet<>(receipts.values()).size();
    if (!config.reconcile) {
      return new Result(false, "-Dreconcile=false", receipts.size(), ledger.acceptedResponses(), -1, -1,
          ledger.duplicateReceipts(), receipts.size() - distinctCodes, -1, -1, -1, -1, List.of(), Map.of(), 0, null);
    }
    boolean ok = poll();
    if (!ok) {
      return new Result(false, null, receipts.size(), ledger.acceptedResponses(), confirmed, -1,
          ledger.duplicateReceipts(), receipts.size() - distinctCodes, -1, codeMismatches, -1, -1, List.of(), Map.of(),
          0, "PostgreSQL " + config.pgUrlShown + " not reachable: " + lastError);
    }
    // The polls above look an id up until they first see its row; the verdict is about the database as the run
    // leaves it, so every accepted id is looked up once more: a row written and gone since (a failover to a replica
    // that was behind, a restore, a stray DELETE) is missing, not persisted.
    long persisted;
    long mismatches = 0;
    try {
      Map<String, String> found = rows(connection(), new ArrayList<>(receipts.keySet()));
      persisted = found.size();
      receipts.keySet().stream().filter(id -> !found.containsKey(id)).forEach(missingAtEnd::add);
      for (Map.Entry<String, String> row : found.entrySet()) {
        if (!row.getValue().equals(receipts.get(row.getKey()))) {
          mismatches++;
        }
      }
    } catch (SQLException e) {
      return new Result(false, null, receipts.size(), ledger.acceptedResponses(), confirmed, -1,
          ledger.duplicateReceipts(), receipts.size() - distinctCodes, -1, codeMismatches, -1, -1, List.of(), Map.of(),
          0, "PostgreSQL " + config.pgUrlShown + " failed the final look-up: " + config.withPgUrlShown(e.getMessage()));
    }
    long duplicateCodesInDb = 0;
    long runRows = -1;
    long duplicateKeys = -1;
    List<String> duplicateKeySample = new ArrayList<>();
    Map<String, Long> without202 = new TreeMap<>();
    long afterRefusal = 0;
    String error = null;
    try {
      Connection c = connection();
      List<String> codes = new ArrayList<>(new HashSet<>(receipts.values()));
      for (int from = 0; from < codes.size(); from += CHUNK) {
        List<String> chunk = codes.subList(from, Math.min(codes.size(), from + CHUNK));
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT count(*) FROM (SELECT code FROM dossier WHERE code = ANY(?) GROUP BY code HAVING count(*) > 1) d")) {
          ps.setArray(1, c.createArrayOf("text", chunk.toArray()));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            duplicateCodesInDb += rs.getLong(1);
          }
        }
      }
      // every row of this run, whether or not its 202 reached us (the run's Idempotency-Keys share a prefix)
      Map<String, Long> rowsPerKey = new java.util.HashMap<>();
      Map<String, List<String>> idsPerKey = new java.util.HashMap<>();
      runRows = 0;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id::text, code, client_id, idempotency_key FROM dossier WHERE starts_with(idempotency_key, ?)")) {
        ps.setString(1, keyPrefix(config));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            runRows++;
            String id = rs.getString(1);
            String key = rs.getString(3) + " " + rs.getString(4);
            rowsPerKey.merge(key, 1L, Long::sum);
            idsPerKey.computeIfAbsent(key, k -> new ArrayList<>()).add(id + " " + rs.getString(2));
            if (!receipts.containsKey(id)) {
              String answer = ledger.answerWithout202(rs.getString(4));
              String label = answer == null ? "unexplained (no request of this run got this answer)" : answer;
              without202.merge(label, 1L, Long::sum);
              if (answer == null || !ambiguous(answer)) {
                afterRefusal++;
              }
            }
          }
        }
      }
      // one submission (one Idempotency-Key of one client) must be one dossier, whichever path wrote it
      duplicateKeys = 0;
      for (Map.Entry<String, Long> e : rowsPerKey.entrySet()) {
        if (e.getValue() > 1) {
          duplicateKeys++;
          if (duplicateKeySample.size() < 5) {
            duplicateKeySample.add(e.getKey() + " x" + e.getValue() + " " + idsPerKey.get(e.getKey()));
          }
        }
      }
    } catch (SQLException e) {
      error = "final checks failed: " + config.withPgUrlShown(e.getMessage());
    }
    long missing = receipts.size() - persisted;
    return new Result(true, null, receipts.size(), ledger.acceptedResponses(), persisted, missing,
        ledger.duplicateReceipts(), receipts.size() - distinctCodes, duplicateCodesInDb, mismatches, runRows,
        duplicateKeys, duplicateKeySample, without202, afterRefusal, error);
  }

  /** id -> code of the rows of these dossiers, looked up by primary key in chunks. */
  private static Map<String, String> rows(Connection c, List<String> ids) throws SQLException {
    Map<String, String> found = new java.util.HashMap<>();
    for (int from = 0; from < ids.size(); from += CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
      try (PreparedStatement ps = c.prepareStatement("SELECT id::text, code FROM dossier WHERE id = ANY(?::uuid[])")) {
        Array array = c.createArrayOf("text", chunk.toArray());
        ps.setArray(1, array);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            found.put(rs.getString(1), rs.getString(2));
          }
        }
      }
    }
    return found;
  }

  /** Every Idempotency-Key of a run starts with this. */
  public static String keyPrefix(LoadConfig config) {
    return "lt-" + config.runId + "-";
  }

  /** A sample of ids still missing (after {@link #finish}: without a row at the end), for the report. */
  public List<String> missingSample(int max) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = (missingAtEnd.isEmpty() ? unconfirmed : missingAtEnd).iterator();
         it.hasNext() && out.size() < max; ) {
      out.add(it.next());
    }
    return out;
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      Properties p = new Properties();
      p.setProperty("user", config.pgUser);
      if (!config.pgPassword.isEmpty()) {
        p.setProperty("password", config.pgPassword);
      }
      p.setProperty("connectTimeout", "5");
      p.setProperty("socketTimeout", "60");
      p.setProperty("ApplicationName", "onewindow-loadtest");
      connection = DriverManager.getConnection(config.pgUrl, p);
      connection.setReadOnly(true);
    }
    return connection;
  }

  private void closeQuietly() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // already broken
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    closeQuietly();
  }
}
