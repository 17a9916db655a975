package vn.onewindow.intake;

import java.util.Map;

/**
 * One stream entry handed to this consumer: its id, its fields (null when Redis no longer has the entry's content)
 * and how many times it has been delivered, this delivery included: 1 from the read loop, 1 + the entry's attempts
 * count from a sweep.
 */
public record Delivery(String entryId, Map<String, String> fields, int deliveries) {

  /** Taken by a sweep: the entry has an attempts field, deleted with it. */
  boolean swept() {
    return deliveries > 1;
  }
}
