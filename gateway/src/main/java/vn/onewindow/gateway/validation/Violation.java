package vn.onewindow.gateway.validation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One offending field: its JSON Pointer (RFC 6901) in the request body and what is wrong with it. */
public record Violation(String pointer, String detail) implements Comparable<Violation> {
  /** The pointer to member {@code name} of the value at {@code parent}: RFC 6901 writes '~' as ~0 and '/' as ~1. */
  public static String member(String parent, String name) {
    return parent + "/" + name.replace("~", "~0").replace("/", "~1");
  }

  /**
   * One violation per field, in the order the fields first appear: the details of a field named more than once are
   * joined with "; " in their order. A 422 lists each field once (a frontend shows one message per entry) and its
   * detail counts the entries.
   */
  public static List<Violation> onePerField(List<Violation> violations) {
    Map<String, String> byField = new LinkedHashMap<>();
    for (Violation v : violations) {
      byField.merge(v.pointer(), v.detail(), (earlier, more) -> earlier + "; " + more);
    }
    if (byField.size() == violations.size()) {
      return violations;
    }
    List<Violation> merged = new ArrayList<>(byField.size());
    byField.forEach((pointer, detail) -> merged.add(new Violation(pointer, detail)));
    return merged;
  }

  @Override
  public int compareTo(Violation o) {
    int byPointer = pointer.compareTo(o.pointer);
    return byPointer != 0 ? byPointer : detail.compareTo(o.detail);
  }
}
