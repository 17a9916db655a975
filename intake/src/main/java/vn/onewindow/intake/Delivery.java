package vn.onewindow.intake;

import java.util.Map;

/**
 * One stream entry handed to this consumer: its id, its fields (null when Redis no longer has the entry's content)
 * and how many times it has been delivered, this delivery included.
 */
public record Delivery(String entryId, Map<String, String> fields, int deliveries) {
}
