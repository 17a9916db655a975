package vn.onewindow.common.agency;

/** What a code means on a given reception date; the gateway maps Unknown and Closed to 422. */
public sealed interface Resolution {

  /** The code is open on that date. */
  record Valid(Agency agency) implements Resolution {
  }

  /** No entry, or the entry did not exist yet on that date. */
  record Unknown(String code) implements Resolution {
  }

  /** The code was closed before that date; {@code successor} is the end of its chain, valid on that date. */
  record Closed(Agency closed, Agency successor) implements Resolution {
  }
}
