package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Tuple;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.dossier.PartitionKeys;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.infra.PostgresClients;
import vn.onewindow.common.infra.RedisReplies;
import vn.onewindow.common.testing.TestRedisCluster;
import vn.onewindow.common.testing.TestServers;

/**
 * DeadLetterReplay against the real servers: dead letters as DeadLetters writes them (by the intake itself where
 * its copies carry the entry's fields), the cause fixed, the tool run, the intake writing what it put back.
 */
class DeadLetterReplayTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** What fixes the rejections below: the catalogue's new channel, as a migration would add it. */
  private static final String ACCEPT_FAX = "ALTER TABLE dossier DROP CONSTRAINT dossier_channel_check;"
      + " ALTER TABLE dossier ADD CONSTRAINT dossier_channel_check"
      + " CHECK (channel IN ('online', 'counter', 'postal', 'fax'))";

  @Test
  void replaysARealDeadLetterOnceItsCauseIsFixedAndOnlyOnce() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      h.deployWorker("worker-1");
      // queued as the enqueue script queues it today: the pre-id as rid, the dossier's id named by the entry's id
      StreamEntry queued = Dossiers.entry(3, Dossiers.payload(3).put("channel", "fax").encode());
      String entryId = h.send(h.xaddRequest(queued.toQueuedFields())).toString();
      StreamEntry byFax = new StreamEntry(Partitions.entryDossierId(queued.dossierId(), entryId), queued.code(),
          queued.clientId(), queued.receivedAt(), queued.idempotencyKey(), queued.payload());
      IntakeHarness.await(WAIT, "the dossier dead-lettered", () -> h.sql("SELECT count(*) FROM dead_letter") == 1
          && h.xlen(h.keys.deadLetterStream()) == 1);
      Map<String, String> copy = h.deadLetterStream().get(0);
      // the copy carries the whole entry: the code the 202 gave, the client, the receipt time
      assertThat(copy).containsEntry(StreamEntry.CODE, byFax.code()).containsEntry(StreamEntry.CLIENT, byFax.clientId())
          .containsEntry(StreamEntry.RECEIVED_AT, byFax.receivedAt()).containsEntry(StreamEntry.ID, byFax.dossierId());

      h.execute(ACCEPT_FAX);
      Run run = replay(h);
      assertThat(run.status).isEqualTo(DeadLetterReplay.OK);
      IntakeHarness.await(WAIT, "the replayed dossier written",
          () -> h.sql("SELECT count(*) FROM dossier WHERE id = '" + byFax.dossierId() + "'") == 1);
      Map<String, String> row = h.rows("SELECT code, client_id, payload::text AS payload, date_trunc('milliseconds',"
          + " received_at) = date_trunc('milliseconds', ?::timestamptz) AS same_receipt FROM dossier",
          byFax.receivedAt()).get(0);
      assertThat(row.get("same_receipt")).isEqualTo("t");
      assertThat(row.get("code")).isEqualTo(byFax.code());
      assertThat(row.get("client_id")).isEqualTo(byFax.clientId());
      assertThat(row.get("payload")).isEqualTo(byFax.payload());
      assertThat(h.xlen(h.keys.deadLetterStream())).isZero();
      assertThat(h.rows("SELECT stream_entry_id, dossier_id FROM dead_letter WHERE replayed_at IS NOT NULL"))
          .containsExactly(Map.of("stream_entry_id", entryId, "dossier_id", byFax.dossierId()));

      assertThat(replay(h).out).contains("total replayed=0 kept=0");
      assertThat(h.sql("SELECT count(*) FROM dossier")).isEqualTo(1);
    }
  }

  @Test
  void listsThenReplaysByReasonAndLimitEveryPartitionExactlyOnce() {
    try (IntakeHarness h = IntakeHarness.create(Map.of("stream.partitions", "2"))) {
      PartitionKeys p0 = h.keys.partition(0);
      PartitionKeys p1 = h.keys.partition(1);
      StreamEntry first = Dossiers.entry(1, Dossiers.payload(1).put("channel", "fax").encode());
      StreamEntry second = Dossiers.entry(2, Dossiers.payload(2).put("channel", "fax").encode());
      StreamEntry stored = Dossiers.entry(4);
      StreamEntry notJson = Dossiers.entry(5, "{\"procedureCode\": truncated");
      String firstCopy = bury(h, p0, "1700000000000-0", first, "rejected: SQLSTATE 23514 dossier_channel_check");
      String secondCopy = bury(h, p1, "1700000000000-0", second, "rejected: SQLSTATE 23514 dossier_channel_check");
      String storedCopy = bury(h, p1, "1700000000001-0", stored, "max_deliveries: SQLSTATE 40001");
      String malformedCopy = bury(h, p1, "1700000000002-0", notJson, "malformed: field 'payload' is not a JSON object");
      h.execute(ACCEPT_FAX);
      h.execute(storedRow(stored));
      h.deployWorker("worker-1");

      Run dry = replay(h, "--dry-run");
      assertThat(dry.status).isEqualTo(DeadLetterReplay.OK);
      assertThat(dry.out).contains(
          "would-replay partition=0 copy=" + firstCopy + " entry=1700000000000-0 dossier=" + first.dossierId()
              + " reason=rejected",
          "would-replay partition=1 copy=" + malformedCopy, "summary partition=0 reason=rejected to-replay=1 kept=0",
          "summary partition=1 reason=max_deliveries to-replay=1 kept=0", "total to-replay=4 kept=0 (dry run");
      assertNoPersonalData(dry, first, second, stored, notJson);
      assertThat(h.xlen(p0.deadLetterStream()) + h.xlen(p1.deadLetterStream())).isEqualTo(4);
      assertThat(h.xlen(p0.stream()) + h.xlen(p1.stream())).isZero();
      assertThat(h.sql("SELECT count(*) FROM dead_letter WHERE replayed_at IS NOT NULL")).isZero();

      Run one = replay(h, "--reason", "rejected", "--limit", "1");
      assertThat(one.status).isEqualTo(DeadLetterReplay.OK);
      assertThat(one.out).contains("replayed partition=0 copy=" + firstCopy, "total replayed=1 kept=0")
          .doesNotContain(secondCopy).doesNotContain("warning");
      IntakeHarness.await(WAIT, "the first dossier written", () -> count(h, first) == 1);
      assertThat(copyIds(h, p0)).isEmpty();
      assertThat(copyIds(h, p1)).containsExactly(secondCopy, storedCopy, malformedCopy);
      assertThat(replayedEntries(h)).containsExactly(p0.stream() + " 1700000000000-0");

      Run rest = replay(h, "--reason", "rejected");
      assertThat(rest.out).contains("replayed partition=1 copy=" + secondCopy, "total replayed=1 kept=0");
      IntakeHarness.await(WAIT, "the second dossier written", () -> count(h, second) == 1);
      // the row that was already there: its replay is an ON CONFLICT no-op
      Run already = replay(h, "--reason", "max_deliveries");
      assertThat(already.out).contains("replayed partition=1 copy=" + storedCopy, "total replayed=1 kept=0");
      IntakeHarness.await(WAIT, "the replayed entries consumed",
          () -> h.xlen(p0.stream()) + h.xlen(p1.stream()) == 0);
      assertThat(count(h, stored)).isEqualTo(1);
      assertThat(h.rows("SELECT code FROM dossier WHERE id = ?::uuid", stored.dossierId()).get(0))
          .containsEntry("code", "stored-" + stored.code());
      assertThat(copyIds(h, p1)).containsExactly(malformedCopy);
      assertThat(h.sql("SELECT count(*) FROM dead_letter")).isEqualTo(4); // nothing dead-lettered anew

      Run again = replay(h, "--reason", "rejected");
      assertThat(again.status).isEqualTo(DeadLetterReplay.OK);
      assertThat(again.out).contains("total replayed=0 kept=0");
      assertThat(h.sql("SELECT count(*) FROM dossier")).isEqualTo(3);
      assertThat(h.sql("SELECT count(DISTINCT id) FROM dossier")).isEqualTo(3);
      assertThat(h.xlen(p0.stream()) + h.xlen(p1.stream())).isZero();
      assertThat(replayedEntries(h)).containsExactlyInAnyOrder(p0.stream() + " 1700000000000-0",
          p1.stream() + " 1700000000000-0", p1.stream() + " 1700000000001-0");
    }
  }

  @Test
  void replaysEveryPartitionOfARedisCluster() {
    TestRedisCluster cluster = TestRedisCluster.shared();
    try (IntakeHarness h = IntakeHarness.create(Map.of("redis.mode", "cluster", "redis.url", cluster.seedList(),
        "stream.partitions", "4"))) {
      List<StreamEntry> entries = new ArrayList<>();
      List<String> copies = new ArrayList<>();
      for (PartitionKeys partition : h.keys.all()) {
        StreamEntry entry = Dossiers.entry(20 + partition.index(),
            Dossiers.payload(20 + partition.index()).put("channel", "fax").encode());
        entries.add(entry);
        copies.add(bury(h, partition, "1700000000000-0", entry, "rejected: SQLSTATE 23514 dossier_channel_check"));
      }
      // two copies in one partition: put back in one pipelined batch, on that slot's master
      StreamEntry another = Dossiers.entry(30, Dossiers.payload(30).put("channel", "fax").encode());
      entries.add(another);
      bury(h, h.keys.partition(0), "1700000000001-0", another, "rejected: SQLSTATE 23514 dossier_channel_check");
      h.execute(ACCEPT_FAX);
      h.deployWorker("worker-1");

      Run dry = replay(h, "--dry-run");
      assertThat(dry.out).contains("total to-replay=5 kept=0");
      assertThat(h.keys.all()).allSatisfy(p -> assertThat(h.xlen(p.deadLetterStream())).isEqualTo(
          p.index() == 0 ? 2 : 1));

      Run run = replay(h);
      assertThat(run.status).isEqualTo(DeadLetterReplay.OK);
      for (PartitionKeys partition : h.keys.all()) {
        assertThat(run.out).contains("replayed partition=" + partition.index() + " copy="
            + copies.get(partition.index()));
        assertThat(copyIds(h, partition)).isEmpty();
      }
      IntakeHarness.await(WAIT, "every partition's dossier written",
          () -> entries.stream().allMatch(e -> count(h, e) == 1));
      assertThat(h.sql("SELECT count(*) FROM dead_letter WHERE replayed_at IS NOT NULL")).isEqualTo(5);
      assertThat(replay(h).out).contains("total replayed=0 kept=0");
      assertThat(h.sql("SELECT count(*) FROM dossier")).isEqualTo(5);
    }
  }

  @Test
  void keepsCopiesThatLackTheEntrysFields() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      PartitionKeys p = h.keys.partition(0);
      StreamEntry byFax = Dossiers.entry(7, Dossiers.payload(7).put("channel", "fax").encode());
      String entryId = "1700000000000-0";
      // what DeadLetters writes today: the payload and the id, not the code of the 202, the client or receivedAt
      row(h, p, entryId, byFax, "rejected: SQLSTATE 23514 dossier_channel_check");
      String copyId = h.send(IntakeHarness.xaddRequest(p.deadLetterStream(), Map.of(
          DeadLetterCopy.ENTRY, entryId, DeadLetterCopy.ERROR, "rejected: SQLSTATE 23514 dossier_channel_check",
          DeadLetterCopy.DELIVERIES, "1", StreamEntry.PAYLOAD, byFax.payload(), StreamEntry.ID, byFax.dossierId())))
          .toString();

      Run run = replay(h);
      assertThat(run.status).isEqualTo(DeadLetterReplay.NOT_REPLAYABLE);
      assertThat(run.out).contains("kept partition=0 copy=" + copyId + " entry=" + entryId + " dossier="
          + byFax.dossierId() + " reason=rejected lacks=code,client,receivedAt", "total replayed=0 kept=1");
      assertThat(run.err).contains("1 dead letter(s) cannot be replayed");
      assertNoPersonalData(run, byFax);
      assertThat(copyIds(h, p)).containsExactly(copyId);
      assertThat(h.xlen(p.stream())).isZero();
      assertThat(h.sql("SELECT count(*) FROM dead_letter WHERE replayed_at IS NULL")).isEqualTo(1);
    }
  }

  @Test
  void runsFromTheHubsConfigurationAndFailsClearlyWithoutRedisOrPostgres() {
    try (IntakeHarness h = IntakeHarness.create(Map.of())) {
      StreamEntry entry = Dossiers.entry(9);
      String copyId = bury(h, h.keys.partition(0), "1700000000000-0", entry, "rejected: SQLSTATE 22001 too long");
      Map<String, String> env = new HashMap<>();
      env.put(Settings.envName("redis.url"), h.config.redis().url());
      env.put(Settings.envName("redis.key-prefix"), h.config.redis().keyPrefix());
      env.put(Settings.envName("postgres.url"), h.config.postgres().url());

      Run dry = main(env, "--dry-run", "--reason", "rejected");
      assertThat(dry.status).isEqualTo(DeadLetterReplay.OK);
      assertThat(dry.out).contains("would-replay partition=0 copy=" + copyId, "total to-replay=1 kept=0");

      Map<String, String> noRedis = new HashMap<>(env);
      noRedis.put(Settings.envName("redis.url"), "redis://127.0.0.1:" + TestServers.freePort());
      Run redisDown = main(noRedis);
      assertThat(redisDown.status).isEqualTo(DeadLetterReplay.UNAVAILABLE);
      assertThat(redisDown.err).startsWith("Redis unreachable or failing");

      Map<String, String> noPostgres = new HashMap<>(env);
      noPostgres.put(Settings.envName("postgres.url"), "postgresql://postgres@127.0.0.1:" + TestServers.freePort()
          + "/hub");
      Run postgresDown = main(noPostgres);
      assertThat(postgresDown.status).isEqualTo(DeadLetterReplay.UNAVAILABLE);
      assertThat(postgresDown.err).startsWith("PostgreSQL unreachable or failing").contains("nothing was replayed");
      // a dry run that could not look counts nothing: "total to-replay=0" above the error read as "nothing to do"
      Run dryPostgresDown = main(noPostgres, "--dry-run");
      assertThat(dryPostgresDown.status).isEqualTo(DeadLetterReplay.UNAVAILABLE);
      assertThat(dryPostgresDown.out).doesNotContain("to-replay=");
      assertThat(dryPostgresDown.err).startsWith("PostgreSQL unreachable or failing");

      // --help is a question, not a mistake: the usage on stdout, exit 0, nothing touched (no store is even asked)
      Run help = main(Map.of(), "--help");
      assertThat(help.status).isEqualTo(DeadLetterReplay.OK);
      assertThat(help.out).startsWith("usage: DeadLetterReplay [--dry-run]");
      assertThat(help.err).isEmpty();
      assertThat(main(env, "--reason", "lost").status).isEqualTo(DeadLetterReplay.USAGE);
      assertThat(main(env, "--limit", "0").status).isEqualTo(DeadLetterReplay.USAGE);
      assertThat(copyIds(h, h.keys.partition(0))).containsExactly(copyId);
      assertThat(h.xlen(h.keys.stream())).isZero();
    }
  }

  // ---- dead letters as DeadLetters writes them ------------------------------------------------------------------

  /**
   * A dead letter of {@code entry}, once entry {@code entryId} of {@code partition}: its row (DeadLetters'
   * INSERT) and its copy carrying the entry's fields; returns the copy's id.
   */
  private static String bury(IntakeHarness h, PartitionKeys partition, String entryId, StreamEntry entry,
                             String error) {
    row(h, partition, entryId, entry, error);
    Map<String, String> copy = new LinkedHashMap<>();
    copy.put(DeadLetterCopy.ENTRY, entryId);
    copy.put(DeadLetterCopy.ERROR, error);
    copy.put(DeadLetterCopy.DELIVERIES, "1");
    copy.putAll(entry.toFields());
    return h.send(IntakeHarness.xaddRequest(partition.deadLetterStream(), copy)).toString();
  }

  /** The row DeadLetters' own INSERT writes. */
  private static void row(IntakeHarness h, PartitionKeys partition, String entryId, StreamEntry entry,
                            String error) {
    var pool = PostgresClients.pool(h.vertx, h.config.postgres().withPoolSize(1), "test-bury");
    try {
      pool.preparedQuery(DeadLetters.INSERT_SQL).execute(Tuple.tuple().addArrayOfString(new String[] {entryId})
          .addArrayOfString(new String[] {entry.dossierId()}).addArrayOfString(new String[] {entry.payload()})
          .addArrayOfString(new String[] {error}).addArrayOfString(new String[] {"1"})
          .addArrayOfString(new String[] {entry.code()}).addArrayOfString(new String[] {entry.clientId()})
          .addArrayOfString(new String[] {entry.receivedAt()}).addArrayOfString(new String[] {entry.due()})
          .addString(partition.stream())).await();
    } finally {
      pool.close().await();
    }
  }

  /** The dossier already stored, under another code, so that a second write of it would show. */
  private static String storedRow(StreamEntry e) {
    JsonObject doc = new JsonObject(e.payload());
    return "INSERT INTO dossier (id, code, client_id, procedure_code, receiving_unit, handling_agency, channel,"
        + " applicant_type, payload, received_at, stream_entry_id) VALUES ('" + e.dossierId() + "', 'stored-"
        + e.code() + "', '" + e.clientId() + "', '" + doc.getString("procedureCode") + "', '"
        + doc.getString("receivingUnit") + "', '" + doc.getString("handlingAgency") + "', 'online', 'citizen', '{}',"
        + " now(), 'direct')";
  }

  // ---- probes ---------------------------------------------------------------------------------------------------

  private static long count(IntakeHarness h, StreamEntry e) {
    return h.sql("SELECT count(*) FROM dossier WHERE id = '" + e.dossierId() + "'");
  }

  private static List<String> copyIds(IntakeHarness h, PartitionKeys partition) {
    List<String> ids = new ArrayList<>();
    for (Response e : h.send(Request.cmd(Command.XRANGE).arg(partition.deadLetterStream()).arg("-").arg("+"))) {
      ids.add(e.get(0).toString());
      assertThat(RedisReplies.pairs(e.get(1))).containsKey(DeadLetterCopy.ENTRY);
    }
    return ids;
  }

  private static List<String> replayedEntries(IntakeHarness h) {
    return h.rows("SELECT stream || ' ' || stream_entry_id AS e FROM dead_letter WHERE replayed_at IS NOT NULL")
        .stream().map(r -> r.get("e")).toList();
  }

  /** Only ids and reasons are printed: no payload, no dossier code, nothing of the applicant. */
  private static void assertNoPersonalData(Run run, StreamEntry... entries) {
    String printed = run.out + run.err;
    for (StreamEntry e : entries) {
      assertThat(printed).doesNotContain(e.payload()).doesNotContain(e.code());
      if (e.payload().startsWith("{\"procedureCode\":\"")) {
        JsonObject applicant = new JsonObject(e.payload()).getJsonObject("applicant");
        for (String field : List.of("citizenId", "fullName", "phone", "address")) {
          assertThat(printed).doesNotContain(applicant.getString(field));
        }
      }
    }
  }

  // ---- running the tool -----------------------------------------------------------------------------------------

  private record Run(int status, String out, String err) {
  }

  private static Run replay(IntakeHarness h, String... args) {
    return capture(args, (out, err) -> DeadLetterReplay.run(h.config, DeadLetterReplay.Options.parse(args), out,
        err));
  }

  private static Run main(Map<String, String> env, String... args) {
    return capture(args, (out, err) -> DeadLetterReplay.run(args, env, out, err));
  }

  private interface Tool {
    int run(PrintStream out, PrintStream err);
  }

  private static Run capture(String[] args, Tool tool) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = tool.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    Run run = new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    System.out.printf("[replay] %s -> %d%n%s%s", String.join(" ", args), status, run.out, run.err);
    return run;
  }
}
