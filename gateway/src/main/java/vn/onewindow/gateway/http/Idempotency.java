package vn.onewindow.gateway.http;

/**
 * The API's idempotency headers, one owner of their names: submissions and ratings read the key and answer whether
 * they replayed; admission looks for the key when it sheds; CORS lets pages send the one and read the other.
 */
public final class Idempotency {
  /** A client's key for a request it may retry: the same key with the same body is the same dossier. */
  public static final String KEY_HEADER = "Idempotency-Key";
  /** On an answer that may repeat an earlier one: true when it does (a retry), false when this request made it. */
  public static final String REPLAYED_HEADER = "Idempotent-Replayed";

  private Idempotency() {
  }
}
