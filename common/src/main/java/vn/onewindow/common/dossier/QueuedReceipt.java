package vn.onewindow.common.dossier;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The receipt kept in Redis from the 202 until the dossier is in PostgreSQL (read-your-writes for the status
 * look-up). The one owner of its fields: the gateway writes them through the enqueue script, which adds the
 * {@link #CODE} it issued and the {@link #ENTRY} id of the stream entry; the status reader reads them back.
 */
public record QueuedReceipt(String code, String receivedAt, String clientId, String procedureCode,
                            String receivingUnit, String handlingAgency, String channel, String expectedResultBy,
                            String applicantHash) {
  /** The same field name as in the stream entry: the enqueue script writes the code it issued under it in both. */
  public static final String CODE = StreamEntry.CODE;
  public static final String ENTRY = "entry";
  public static final String RECEIVED_AT = "receivedAt";
  static final String CLIENT = "client";
  static final String PROCEDURE_CODE = "procedureCode";
  static final String RECEIVING_UNIT = "receivingUnit";
  static final String HANDLING_AGENCY = "handlingAgency";
  static final String CHANNEL = "channel";
  public static final String EXPECTED_RESULT_BY = "expectedResultBy";
  static final String APPLICANT_HASH = "applicantHash";
  /**
   * The fields the gateway supplies, in the order of {@link #values} (the script adds {@link #CODE} and
   * {@link #ENTRY}). The enqueue script carries these names in its source, so a call sends only the values.
   */
  public static final List<String> FIELDS = List.of(RECEIVED_AT, CLIENT, PROCEDURE_CODE, RECEIVING_UNIT,
      HANDLING_AGENCY, CHANNEL, EXPECTED_RESULT_BY, APPLICANT_HASH);

  /** The values of {@link #FIELDS}, in order. */
  public List<String> values() {
    return Arrays.asList(receivedAt, clientId, procedureCode, receivingUnit, handlingAgency, channel,
        expectedResultBy, applicantHash);
  }

  public static QueuedReceipt fromFields(Map<String, String> fields) {
    return new QueuedReceipt(fields.get(CODE), fields.get(RECEIVED_AT), fields.get(CLIENT),
        fields.get(PROCEDURE_CODE), fields.get(RECEIVING_UNIT), fields.get(HANDLING_AGENCY), fields.get(CHANNEL),
        fields.get(EXPECTED_RESULT_BY), fields.get(APPLICANT_HASH));
  }
}
