package io.github.idem.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void shouldMatchTheClosedFormsOfTheTDistributionForOneAndTwoDegreesOfFreedom() {
    // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π.
    assertThat(0.5 + Math.atan(Stats.t975(1)) / Math.PI).isCloseTo(0.975, within(1e-9));
    // df = 2: F(t) = 1/2 + t / (2 √(2 + t²)).
    double t = Stats.t975(2);
    assertThat(0.5 + t / (2 * Math.sqrt(2 + t * t))).isCloseTo(0.975, within(1e-9));
  }

  @Test
  void shouldGiveTheTabulatedQuantiles() {
    assertThat(Stats.t975(3)).isCloseTo(3.182, within(1e-3));
    assertThat(Stats.t975(4)).isCloseTo(2.776, within(1e-3));
    assertThat(Stats.t975(10)).isCloseTo(2.228, within(1e-3));
    assertThat(Stats.t975(30)).isCloseTo(2.042, within(1e-3));
  }

  @Test
  void shouldContinueTheTableWithTheExpansion() {
    assertThat(Stats.t975(31)).isCloseTo(2.039513, within(1e-5));
    assertThat(Stats.t975(60)).isCloseTo(2.000298, within(1e-5));
    assertThat(Stats.t975(120)).isCloseTo(1.979930, within(1e-5));
    assertThat(Stats.t975(30)).isGreaterThan(Stats.t975(31));
  }

  @Test
  void shouldRefuseZeroDegreesOfFreedom() {
    assertThatThrownBy(() -> Stats.t975(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldComputeTheMeanIntervalWithStudentT() {
    Stats.Interval i = Stats.meanInterval(new double[] {10, 12, 11});
    assertThat(i.estimate()).isEqualTo(11.0);
    assertThat(i.low()).isCloseTo(8.515862, within(1e-5));
    assertThat(i.high()).isCloseTo(13.484138, within(1e-5));
    assertThat(i.n()).isEqualTo(3);
    assertThat(i.defined()).isTrue();
  }

  @Test
  void shouldTakeTheGeometricMeanOfPerRoundRatiosWithALogScaleInterval() {
    Stats.Interval i =
        Stats.ratioInterval(new double[] {110, 240, 105, 230}, new double[] {100, 200, 100, 200});
    // per-round ratios 1.10, 1.20, 1.05, 1.15
    assertThat(i.estimate()).isCloseTo(1.123609, within(1e-6));
    assertThat(i.low()).isCloseTo(1.025422, within(1e-6));
    assertThat(i.high()).isCloseTo(1.231198, within(1e-6));
    assertThat(i.halfWidth()).isCloseTo((1.231198 - 1.025422) / 2, within(1e-6));
  }

  @Test
  void shouldLeaveTheIntervalUndefinedForOneRound() {
    Stats.Interval i = Stats.ratioInterval(new double[] {3}, new double[] {2});
    assertThat(i.estimate()).isEqualTo(1.5);
    assertThat(i.defined()).isFalse();
  }

  @Test
  void shouldTakeTheMedian() {
    assertThat(Stats.median(new double[] {5, 1, 3})).isEqualTo(3.0);
    assertThat(Stats.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }
}
