package io.github.idem.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.idem.benchmarks.Db.Kind;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GoalTest {
  private static final Goal AT_MOST_1_05 =
      new Goal(
          "X",
          Goal.Direction.AT_MOST,
          Map.of(Kind.POSTGRES, 1.05),
          false,
          Set.of(),
          Set.of(),
          Double.NaN,
          "");

  private static Stats.Interval interval(double estimate, double low, double high) {
    return new Stats.Interval(estimate, low, high, 4);
  }

  private static Goal.Verdict judge(Goal goal, Stats.Interval i, boolean durable) {
    return goal.verdict(Kind.POSTGRES, i, durable);
  }

  @Test
  void shouldBeMetOnlyWhenTheWholeIntervalIsWithinTheLimit() {
    assertThat(judge(AT_MOST_1_05, interval(1.0, 0.98, 1.05), false).kind())
        .isEqualTo(Goal.Kind.MET);
  }

  @Test
  void shouldBeMissedOnlyWhenTheWholeIntervalIsBeyondTheLimit() {
    assertThat(judge(AT_MOST_1_05, interval(1.10, 1.06, 1.14), false).kind())
        .isEqualTo(Goal.Kind.MISSED);
  }

  @Test
  void shouldBeUndecidedWhenTheIntervalStraddlesTheLimit() {
    assertThat(judge(AT_MOST_1_05, interval(1.02, 0.99, 1.06), false))
        .isEqualTo(new Goal.Verdict(Goal.Kind.UNDECIDED, "undecided"));
    assertThat(judge(AT_MOST_1_05, interval(1.07, 1.04, 1.10), false).kind())
        .isEqualTo(Goal.Kind.UNDECIDED);
  }

  @Test
  void shouldMirrorTheRulesForAtLeastGoals() {
    Goal atLeast =
        new Goal(
            "Y",
            Goal.Direction.AT_LEAST,
            Map.of(Kind.POSTGRES, 2.0),
            false,
            Set.of(),
            Set.of(),
            Double.NaN,
            "");
    assertThat(judge(atLeast, interval(2.2, 2.0, 2.4), false).kind()).isEqualTo(Goal.Kind.MET);
    assertThat(judge(atLeast, interval(1.8, 1.7, 1.99), false).kind()).isEqualTo(Goal.Kind.MISSED);
    assertThat(judge(atLeast, interval(2.1, 1.9, 2.3), false).kind())
        .isEqualTo(Goal.Kind.UNDECIDED);
    assertThat(atLeast.describe(Kind.POSTGRES)).isEqualTo("≥ 2");
  }

  @Test
  void shouldNotJudgeASingleRound() {
    Stats.Interval one = new Stats.Interval(0.5, Double.NaN, Double.NaN, 1);
    assertThat(judge(AT_MOST_1_05, one, true))
        .isEqualTo(new Goal.Verdict(Goal.Kind.NOT_APPLICABLE, "n/a (one round)"));
  }

  @Test
  void shouldNotJudgeDurableGoalsOnRunsThatAreNotDurable() {
    assertThat(judge(Comparisons.R1, interval(0.5, 0.4, 0.6), false))
        .isEqualTo(new Goal.Verdict(Goal.Kind.NOT_APPLICABLE, "n/a (not durable)"));
    assertThat(judge(Comparisons.R1, interval(0.5, 0.4, 0.6), true).kind())
        .isEqualTo(Goal.Kind.MET);
  }

  @Test
  void shouldRequireANarrowIntervalForTheStatementGoal() {
    Goal.Verdict wide = judge(Comparisons.G6, interval(0.90, 0.80, 1.00), false);
    assertThat(wide.kind()).isEqualTo(Goal.Kind.UNDECIDED);
    assertThat(wide.text()).isEqualTo("undecided (CI half-width 0.100 > 0.05)");
    assertThat(judge(Comparisons.G6, interval(1.00, 0.97, 1.03), false).kind())
        .isEqualTo(Goal.Kind.MET);
  }

  @Test
  void shouldReportWithoutALimitWhereTheGoalHasNone() {
    assertThat(Comparisons.G9.verdict(Kind.MARIADB, interval(3, 2, 4), true).kind())
        .isEqualTo(Goal.Kind.REPORTED);
  }

  @Test
  void shouldCoverOnlyItsEnginesThreadsAndParameters() {
    assertThat(Comparisons.G10.covers(Kind.POSTGRES, 16, "")).isTrue();
    assertThat(Comparisons.G10.covers(Kind.POSTGRES, 4, "")).isFalse();
    assertThat(Comparisons.G10.covers(Kind.MARIADB, 16, "")).isFalse();
    assertThat(Comparisons.G8.covers(Kind.POSTGRES, 1, "batchSize=1024")).isTrue();
    assertThat(Comparisons.G8.covers(Kind.POSTGRES, 1, "batchSize=16")).isFalse();
    assertThat(Comparisons.G6_UPSERT.covers(Kind.H2, 1, "existingPct=50")).isFalse();
  }

  @Test
  void shouldFlagRatiosWhoseIntervalIsWiderThanTenPercent() {
    Report.RatioRow narrow =
        new Report.RatioRow(null, null, interval(1.0, 0.91, 1.09), 1.0, List.of());
    Report.RatioRow wide =
        new Report.RatioRow(null, null, interval(1.0, 0.85, 1.12), 1.0, List.of());
    assertThat(narrow.wide()).isFalse();
    assertThat(wide.wide()).isTrue();
  }
}
