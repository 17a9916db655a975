package vn.onewindow.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.dossier.StreamEntry;

class DossierRowTest {

  @Test
  void aCompleteEntryParsesWithItsIdLowerCased() {
    StreamEntry e = Dossiers.entry(3);
    Map<String, String> fields = new java.util.HashMap<>(e.toFields());
    fields.put(StreamEntry.ID, e.dossierId().toUpperCase());
    DossierRow.Parsed parsed = DossierRow.parse(new Delivery("1-0", fields, 2));
    assertThat(parsed.problem()).isNull();
    assertThat(parsed.row().dossierId()).isEqualTo(e.dossierId());
    assertThat(parsed.row().idempotencyKey()).isNull(); // odd index: no key, sent as ""
    assertThat(parsed.row().receivedAt().toString()).isEqualTo(e.receivedAt());
    assertThat(parsed.row().delivery().deliveries()).isEqualTo(2);
  }

  @Test
  void brokenEntriesNameTheProblemWithoutQuotingTheContent() {
    StreamEntry e = Dossiers.entry(2);
    assertThat(problem(e.toFields(), StreamEntry.CODE, null)).isEqualTo("missing field 'code'");
    assertThat(problem(e.toFields(), StreamEntry.ID, "12345")).isEqualTo("field 'id' is not a UUID");
    assertThat(problem(e.toFields(), StreamEntry.RECEIVED_AT, "2025-13-01")).contains("receivedAt");
    assertThat(problem(e.toFields(), StreamEntry.PAYLOAD, "\"Nguyễn\"")).isEqualTo("field 'payload' is not a JSON object");
    assertThat(DossierRow.parse(new Delivery("1-0", null, 1)).problem()).isEqualTo("entry has no fields");
  }

  @Test
  void repeatedDossiersGoToLaterRoundsAndEachRoundIsSortedById() {
    List<DossierRow> rows = new ArrayList<>();
    StreamEntry a = Dossiers.entry(1);
    StreamEntry b = Dossiers.entry(2);
    for (StreamEntry e : List.of(a, b, a, a)) {
      rows.add(DossierRow.parse(new Delivery("1-" + rows.size(), e.toFields(), 1)).row());
    }
    List<List<DossierRow>> rounds = BatchProcessor.uniqueRounds(rows);
    assertThat(rounds).hasSize(3);
    assertThat(rounds.get(0)).extracting(DossierRow::dossierId)
        .containsExactly(a.dossierId().compareTo(b.dossierId()) < 0
            ? new String[] {a.dossierId(), b.dossierId()} : new String[] {b.dossierId(), a.dossierId()});
    assertThat(rounds.get(1)).extracting(DossierRow::entryId).containsExactly("1-2");
    assertThat(rounds.get(2)).extracting(DossierRow::entryId).containsExactly("1-3");
  }

  private static String problem(Map<String, String> fields, String key, String value) {
    Map<String, String> copy = new java.util.HashMap<>(fields);
    if (value == null) {
      copy.remove(key);
    } else {
      copy.put(key, value);
    }
    return DossierRow.parse(new Delivery("1-0", copy, 1)).problem();
  }
}
