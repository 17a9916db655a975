package vn.onewindow.common.infra;

import java.util.Objects;
import java.util.function.Function;

/**
 * The value computed for the last key asked for, kept: for a text made on every request from a key that changes
 * rarely (today's date, the current second), where formatting it again each time showed in the gateway's profile.
 * It holds one immutable key-value pair, so threads racing to replace it each leave a correct one; a key other than
 * the last is computed again, never answered with a stale value.
 */
public final class LastValue<K, V> {
  private final Function<K, V> compute;
  private volatile Entry<K, V> last;

  public LastValue(Function<K, V> compute) {
    this.compute = Objects.requireNonNull(compute);
  }

  public V get(K key) {
    Entry<K, V> entry = last;
    if (entry == null || !entry.key().equals(key)) {
      entry = new Entry<>(key, compute.apply(key));
      last = entry;
    }
    return entry.value();
  }

  private record Entry<K, V>(K key, V value) {
  }
}
