package vn.onewindow.gateway.validation;

/** One offending field: its JSON Pointer (RFC 6901) in the request body and what is wrong with it. */
public record Violation(String pointer, String detail) implements Comparable<Violation> {
  @Override
  public int compareTo(Violation o) {
    int byPointer = pointer.compareTo(o.pointer);
    return byPointer != 0 ? byPointer : detail.compareTo(o.detail);
  }
}
