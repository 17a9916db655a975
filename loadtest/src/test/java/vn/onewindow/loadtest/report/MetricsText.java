package vn.onewindow.loadtest.report;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The hub's {@code /metrics} (Prometheus text) as the watcher needs it: every metric's samples added up under its
 * name; the JVM memory meters also by area ({@code jvm_memory_used_bytes{area="heap"}}, {@code ...{area="nonheap"}});
 * and the GC pause meters by series, label set and all ({@code jvm_gc_pause_seconds_count{action=...,cause=...,gc=...}}),
 * whose count, sum and max the {@link HubMemory} compares from one sample to the next.
 */
final class MetricsText {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");
  private static final Pattern AREA = Pattern.compile("area=\"(heap|nonheap)\"");
  static final String GC_PAUSE = "jvm_gc_pause_seconds";

  private MetricsText() {
  }

  static Map<String, Double> parse(Stream<String> lines) {
    Map<String, Double> out = new HashMap<>();
    lines.forEach(line -> {
      if (line.isEmpty() || line.charAt(0) == '#') {
        return;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.find()) {
        return;
      }
      double value;
      try {
        value = Double.parseDouble(m.group(3));
      } catch (NumberFormatException ignored) {
        return; // NaN/Inf spellings we do not need
      }
      String name = m.group(1);
      String labels = m.group(2);
      out.merge(name, value, Double::sum);
      if (labels == null) {
        return;
      }
      if (name.startsWith("jvm_memory_")) {
        Matcher area = AREA.matcher(labels);
        if (area.find()) {
          out.merge(name + "{area=\"" + area.group(1) + "\"}", value, Double::sum);
        }
      } else if (name.startsWith(GC_PAUSE)) {
        out.merge(name + labels, value, Double::sum);
      }
    });
    return out;
  }
}
