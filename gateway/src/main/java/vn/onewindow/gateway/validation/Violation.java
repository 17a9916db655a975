package vn.onewindow.gateway.validation;

/** One offending field: its JSON Pointer (RFC 6901) in the request body and what is wrong with it. */
public record Violation(String pointer, String detail) implements Comparable<Violation> {
  /** The pointer to member {@code name} of the value at {@code parent}: RFC 6901 writes '~' as ~0 and '/' as ~1. */
  public static String member(String parent, String name) {
    return parent + "/" + name.replace("~", "~0").replace("/", "~1");
  }

  @Override
  public int compareTo(Violation o) {
    int byPointer = pointer.compareTo(o.pointer);
    return byPointer != 0 ? byPointer : detail.compareTo(o.detail);
  }
}
