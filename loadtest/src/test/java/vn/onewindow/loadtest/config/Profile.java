package vn.onewindow.loadtest.config;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;

import io.gatling.javaapi.core.OpenInjectionStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The load shapes, chosen with {@code -Dprofile=...}. Every shape is an open model: virtual citizens arrive at a
 * rate whatever the hub's latency, as on the real portal (a slow hub does not slow down arrivals).
 */
public enum Profile {
  /** A few seconds at a low rate: does the whole path work (the CI gate). */
  SMOKE,
  /** The baseline rate for {@code duration}. */
  STEADY,
  /** Baseline, ramp to N x baseline, hold, ramp back down, baseline. */
  SURGE,
  /** Baseline, instantly N x baseline, hold, instantly back to baseline. */
  SPIKE,
  /** The baseline rate for a long {@code duration} (default 1 h): leaks, backlog creep, GC. */
  SOAK,
  /** Well-behaved clients at the baseline plus one abusive client at {@code abuserRate}. */
  FAIRNESS,
  /**
   * The surge's citizens while the handling agencies' systems poll their feeds and post progress events
   * ({@code AgencySystems}), with the agency gates.
   */
  AGENCIES;

  public static Profile parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("-Dprofile must be one of " + Arrays.stream(values()).map(Profile::id).toList()
          + ", got '" + s + "'");
    }
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Arrivals of well-behaved citizens (one submission each). */
  public List<OpenInjectionStep> citizens(LoadConfig c) {
    List<OpenInjectionStep> steps = new ArrayList<>();
    double peak = c.rate * c.factor;
    switch (this) {
      case SMOKE, STEADY, SOAK, FAIRNESS -> steps.add(constantUsersPerSec(c.rate).during(c.duration));
      case SURGE, AGENCIES -> {
        addConstant(steps, c.rate, c.baselineBefore);
        addRamp(steps, c.rate, peak, c.rampUp);
        addConstant(steps, peak, c.hold);
        addRamp(steps, peak, c.rate, c.rampDown);
        addConstant(steps, c.rate, c.baselineAfter);
      }
      case SPIKE -> {
        addConstant(steps, c.rate, c.baselineBefore);
        addConstant(steps, peak, c.hold);
        addConstant(steps, c.rate, c.baselineAfter);
      }
      default -> throw new IllegalStateException(name());
    }
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("profile " + id() + " has no load with these durations");
    }
    return steps;
  }

  /** Arrivals of the warm-up population (empty when {@code warmUp} is 0). */
  public static List<OpenInjectionStep> warmUp(LoadConfig c) {
    List<OpenInjectionStep> steps = new ArrayList<>();
    if (!c.warmUp.isZero() && c.rate > 0) {
      steps.add(rampUsersPerSec(Math.min(1, c.rate)).to(c.rate).during(c.warmUp));
    }
    return steps;
  }

  /** Warm-up arrivals of the abusive client (fairness only), so its refused path is warm too. */
  public static List<OpenInjectionStep> abuserWarmUp(LoadConfig c) {
    List<OpenInjectionStep> steps = new ArrayList<>();
    if (c.profile == FAIRNESS && !c.warmUp.isZero() && c.abuserRate > 0) {
      steps.add(rampUsersPerSec(Math.min(1, c.abuserRate)).to(c.abuserRate).during(c.warmUp));
    }
    return steps;
  }

  /** Arrivals of the abusive client (fairness only). */
  public List<OpenInjectionStep> abuser(LoadConfig c) {
    return this == FAIRNESS ? List.of(constantUsersPerSec(c.abuserRate).during(c.duration)) : List.of();
  }

  public Duration injectionDuration(LoadConfig c) {
    return switch (this) {
      case SMOKE, STEADY, SOAK, FAIRNESS -> c.duration;
      case SURGE, AGENCIES -> c.baselineBefore.plus(c.rampUp).plus(c.hold).plus(c.rampDown).plus(c.baselineAfter);
      case SPIKE -> c.baselineBefore.plus(c.hold).plus(c.baselineAfter);
    };
  }

  public String shape(LoadConfig c) {
    String base = LoadConfig.fmt(c.rate) + "/s";
    String peak = LoadConfig.fmt(c.rate * c.factor) + "/s (" + LoadConfig.fmt(c.factor) + " x)";
    return switch (this) {
      case SMOKE, STEADY, SOAK -> base + " for " + c.duration.toSeconds() + " s";
      case FAIRNESS -> base + " well-behaved + " + LoadConfig.fmt(c.abuserRate) + "/s abuser for "
          + c.duration.toSeconds() + " s";
      case SURGE, AGENCIES -> base + " " + c.baselineBefore.toSeconds() + " s, ramp " + c.rampUp.toSeconds()
          + " s to " + peak + ", hold " + c.hold.toSeconds() + " s, ramp down " + c.rampDown.toSeconds() + " s, " + base
          + " " + c.baselineAfter.toSeconds() + " s" + (this == AGENCIES ? "; agency systems polling every "
          + c.agencyPoll.toMillis() + " ms and posting events" : "");
      case SPIKE -> base + " " + c.baselineBefore.toSeconds() + " s, instantly " + peak + " for "
          + c.hold.toSeconds() + " s, back to " + base + " " + c.baselineAfter.toSeconds() + " s";
    };
  }

  private static void addConstant(List<OpenInjectionStep> steps, double rate, Duration d) {
    if (!d.isZero() && rate > 0) {
      steps.add(constantUsersPerSec(rate).during(d));
    }
  }

  private static void addRamp(List<OpenInjectionStep> steps, double from, double to, Duration d) {
    if (!d.isZero()) {
      steps.add(rampUsersPerSec(from).to(to).during(d));
    }
  }
}
