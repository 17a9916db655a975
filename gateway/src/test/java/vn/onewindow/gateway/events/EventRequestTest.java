package vn.onewindow.gateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import vn.onewindow.common.infra.Digests;

/**
 * What makes two events the same event for a replay: content, every field with its bounds, not the order of an
 * object's members.
 */
class EventRequestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final UUID DOSSIER = UUID.fromString("3f2b8c1e-7a4d-4e0b-9c61-2d5e8f0a1b23");

  @Test
  void shouldSortMembersAtEveryDepthAndKeepArrayOrder() throws Exception {
    assertThat(EventRequest.canonical(JSON.readTree(
        "{\"b\":[{\"z\":1,\"a\":{\"y\":true,\"x\":null}},[3,1]],\"a\":\"é\"}")))
        .isEqualTo("{\"a\":\"é\",\"b\":[{\"a\":{\"x\":null,\"y\":true},\"z\":1},[3,1]]}");
  }

  @Test
  void shouldGiveTheSameFingerprintWhenOnlyMemberOrderDiffers() throws Exception {
    EventRequest sent = event("{\"name\":\"Bản sao\",\"documentId\":\"BS-1\"}");
    EventRequest reordered = event("{\"documentId\":\"BS-1\",\"name\":\"Bản sao\"}");

    assertThat(reordered.fingerprint(DOSSIER)).isEqualTo(sent.fingerprint(DOSSIER));
    assertThat(reordered.result()).as("stored as received").isNotEqualTo(sent.result());
  }

  @Test
  void shouldGiveAnotherFingerprintForOtherContentOrAnotherDocumentOrder() throws Exception {
    String fingerprint = event("{\"name\":\"A\",\"documentId\":\"1\"},{\"name\":\"B\",\"documentId\":\"2\"}")
        .fingerprint(DOSSIER);

    assertThat(event("{\"name\":\"A\",\"documentId\":\"9\"},{\"name\":\"B\",\"documentId\":\"2\"}")
        .fingerprint(DOSSIER)).isNotEqualTo(fingerprint);
    assertThat(event("{\"name\":\"B\",\"documentId\":\"2\"},{\"name\":\"A\",\"documentId\":\"1\"}")
        .fingerprint(DOSSIER)).isNotEqualTo(fingerprint);
    assertThat(event("{\"name\":\"A\",\"documentId\":\"1\"},{\"name\":\"B\",\"documentId\":\"2\"}")
        .fingerprint(UUID.randomUUID())).as("another dossier").isNotEqualTo(fingerprint);
  }

  @Test
  void shouldHashTheEventAsOneJsonObjectWithSortedMembersAndExplicitNulls() throws Exception {
    // what stored rows hold: a change of this text is a change of every replay's fingerprint
    assertThat(event("{\"name\":\"A\",\"documentId\":\"1\"}").fingerprint(DOSSIER)).isEqualTo(Digests.sha256Hex(
        "{\"at\":\"2026-12-03T13:43:40Z\",\"dossierId\":\"" + DOSSIER + "\",\"dueDate\":null,\"eventId\":\"e-1\","
            + "\"note\":null,\"officer\":null,\"result\":[{\"documentId\":\"1\",\"name\":\"A\"}],\"status\":9}"));
  }

  @Test
  void shouldTellTheOfficerFromTheNoteAndAnAbsentFieldFromTheTextNull() throws Exception {
    assertThat(handled("\"officer\":\"Lan\\nPhong TP\",\"note\":\"OK\"").fingerprint(DOSSIER))
        .isNotEqualTo(handled("\"officer\":\"Lan\",\"note\":\"Phong TP\\nOK\"").fingerprint(DOSSIER));
    assertThat(handled("\"note\":\"OK\"").fingerprint(DOSSIER))
        .isNotEqualTo(handled("\"officer\":\"null\",\"note\":\"OK\"").fingerprint(DOSSIER));
    assertThat(handled("\"officer\":\"Lan\"").fingerprint(DOSSIER))
        .isNotEqualTo(handled("\"officer\":\"Lan\",\"note\":\"null\"").fingerprint(DOSSIER));
  }

  @Test
  void shouldKeepBothJoinedFingerprintsOfEventsRecordedBeforeTheJsonForm() throws Exception {
    EventRequest unsorted = event("{\"name\":\"A\",\"documentId\":\"1\"}");
    String head = DOSSIER + "\ne-1\n9\n2026-12-03T13:43:40Z\nnull\nnull\nnull\n";

    assertThat(unsorted.legacyFingerprints(DOSSIER)).containsExactly(
        Digests.sha256Hex(head + "[{\"documentId\":\"1\",\"name\":\"A\"}]"),
        Digests.sha256Hex(head + "[{\"name\":\"A\",\"documentId\":\"1\"}]"));
    assertThat(unsorted.legacyFingerprints(DOSSIER)).doesNotContain(unsorted.fingerprint(DOSSIER));
    // the joined form cannot tell these apart: EventStore compares the stored officer and note as well
    assertThat(handled("\"officer\":\"Lan\\nPhong TP\",\"note\":\"OK\"").legacyFingerprints(DOSSIER))
        .isEqualTo(handled("\"officer\":\"Lan\",\"note\":\"Phong TP\\nOK\"").legacyFingerprints(DOSSIER));
  }

  /** A decision (9) with these result documents (comma-separated objects), or an acceptance (2) without. */
  private static EventRequest event(String documents) throws Exception {
    String body = documents == null
        ? "{\"eventId\":\"e-1\",\"status\":2,\"at\":\"2026-12-03T20:43:40+07:00\"}"
        : "{\"eventId\":\"e-1\",\"status\":9,\"at\":\"2026-12-03T20:43:40+07:00\",\"result\":[" + documents + "]}";
    return EventRequest.from(JSON.readTree(body), new ArrayList<>());
  }

  /** An acceptance (2) with these members besides eventId, status and at (JSON text, without braces). */
  private static EventRequest handled(String members) throws Exception {
    return EventRequest.from(JSON.readTree("{\"eventId\":\"e-1\",\"status\":2,\"at\":\"2026-12-03T20:43:40+07:00\","
        + members + "}"), new ArrayList<>());
  }
}
