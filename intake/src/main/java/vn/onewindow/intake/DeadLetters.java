package vn.onewindow.intake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vn.onewindow.common.dossier.StreamEntry;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.DeadLetterReason;

/**
 * Moves entries that can never be written out of the way: a row in {@code dead_letter} (the durable record, for an
 * operator to inspect and replay, with the code, client and receipt time the entry carried), a copy in the
 * dead-letter stream, then XACK + XDEL of the original. Both name the dossier by its id (derived from the original entry's id where the entry does not carry it, StreamEntry), since the
 * copy's entry id is not the original's. If the {@code dead_letter} insert fails the entry stays in the stream and is
 * retried like any other. {@code deliveries}: the read's 1, or 1 + the sweeps that took the entry.
 */
public final class DeadLetters {

  /**
   * The Redis half of a dead-lettering failed (the copies, XACK, XDEL) after the {@code dead_letter} rows were
   * written: a Redis failure, which the caller must not count as PostgreSQL's. The entries are redelivered, and their
   * rows' ON CONFLICT makes the next try a no-op in PostgreSQL.
   */
  static final class RedisStepFailed extends RuntimeException {
    RedisStepFailed(Throwable cause) {
      super("dead-letter copies and XACK/XDEL failed", cause, false, false);
    }
  }

  /** One entry to dead-letter, with the error text stored next to it. */
  public record Letter(Delivery delivery, DeadLetterReason reason, String error) {
  }

  static final String INSERT_SQL = """
      INSERT INTO dead_letter (stream, stream_entry_id, dossier_id, payload, error, deliveries, code, client_id,
                               received_at, due)
      SELECT $10, entry, dossier, payload, error, deliveries::integer, code, client, received, due
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                  $9::text[])
        AS t(entry, dossier, payload, error, deliveries, code, client, received, due)
      ON CONFLICT DO NOTHING""";
  /** The fields a copy writes itself; every other field of the entry goes with it as it is. */
  private static final Set<String> COPY_OWN_FIELDS =
      Set.of(DeadLetterCopy.ENTRY, DeadLetterCopy.ERROR, DeadLetterCopy.DELIVERIES, StreamEntry.PAYLOAD,
          StreamEntry.ID);

  /** A pool, or the warm-up's connection inside its rolled-back transaction (nothing it writes may remain). */
  private final SqlClient sql;
  private final StreamReader stream;
  private final Map<DeadLetterReason, Counter> counters = new EnumMap<>(DeadLetterReason.class);

  public DeadLetters(SqlClient sql, StreamReader stream, MeterRegistry registry) {
    this.sql = sql;
    this.stream = stream;
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      counters.put(reason, Counter.builder(MeterNames.DEAD_LETTERS).tag(MeterNames.TAG_REASON, reason.tag())
          .description("Stream entries moved to the dead letters").register(registry));
    }
  }

  public Future<Void> bury(List<Letter> letters) {
    if (letters.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = letters.size();
    String[] entry = new String[n];
    String[] dossier = new String[n];
    String[] payload = new String[n];
    String[] error = new String[n];
    String[] deliveries = new String[n];
    // the receipt's fields as the entry carried them (V14): support finds the row by the code the citizen holds; and
    // its promised date (V17), which the held-for-review view shows
    String[] code = new String[n];
    String[] client = new String[n];
    String[] received = new String[n];
    String[] due = new String[n];
    List<Request> copies = new ArrayList<>(n);
    List<Delivery> originals = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Letter l = letters.get(i);
      Map<String, String> fields = l.delivery().fields();
      entry[i] = l.delivery().entryId();
      String id = fields == null ? null : StreamEntry.dossierIdOf(fields, entry[i]);
      String body = fields == null || fields.get(StreamEntry.PAYLOAD) == null ? "" : fields.get(StreamEntry.PAYLOAD);
      dossier[i] = text(id);
      payload[i] = text(body);
      error[i] = text(DeadLetterCopy.error(l.reason(), l.error()));
      deliveries[i] = Integer.toString(l.delivery().deliveries());
      if (fields != null) {
        code[i] = text(fields.get(StreamEntry.CODE));
        client[i] = text(fields.get(StreamEntry.CLIENT));
        received[i] = text(fields.get(StreamEntry.RECEIVED_AT));
        due[i] = text(fields.get(StreamEntry.DUE));
      }
      Request copy = Request.cmd(Command.XADD).arg(stream.partition().deadLetterStream()).arg("*")
          .arg(DeadLetterCopy.ENTRY).arg(entry[i]).arg(DeadLetterCopy.ERROR).arg(error[i])
          .arg(DeadLetterCopy.DELIVERIES).arg(deliveries[i])
          .arg("payload").arg(body);
      if (fields != null) {
        // the rest of the entry (the code its 202 gave, the client, the receipt time...): without them the copy could
        // not be queued again as it was (DeadLetterReplay), and the code the citizen holds would be lost
        fields.forEach((name, value) -> {
          if (value != null && !COPY_OWN_FIELDS.contains(name)) {
            copy.arg(name).arg(value);
          }
        });
      }
      if (id != null) {
        // the copy's own entry id names nothing: the dossier's id goes with it, as an entry of its own would carry it
        copy.arg(StreamEntry.ID).arg(id);
      }
      copies.add(copy);
      originals.add(l.delivery());
    }
    Tuple params = Tuple.tuple().addArrayOfString(entry).addArrayOfString(dossier).addArrayOfString(payload)
        .addArrayOfString(error).addArrayOfString(deliveries).addArrayOfString(code).addArrayOfString(client)
        .addArrayOfString(received).addArrayOfString(due)
        // an entry id is unique within its stream only (V12): ON CONFLICT then only skips this entry's redelivery
        .addString(stream.partition().stream());
    return sql.preparedQuery(INSERT_SQL).execute(params)
        .compose(inserted -> stream.ackAndDelete(originals, copies)
            .recover(err -> Future.failedFuture(new RedisStepFailed(err))))
        .onSuccess(v -> letters.forEach(l -> counters.get(l.reason()).increment()));
  }

  /** PostgreSQL text cannot hold U+0000: store it as the JSON escape it most likely came from. */
  static String text(String s) {
    return s == null || s.indexOf('\0') < 0 ? s : s.replace("\0", "\\u0000");
  }
}
