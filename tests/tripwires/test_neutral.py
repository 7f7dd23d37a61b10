"""Neutral-test statistics against published and hand-computed values."""

from __future__ import annotations

import math
import statistics

import pytest

from tripwires.neutral import (
    Mean,
    Proportion,
    StatisticsError,
    Verdict,
    compare,
    sentence,
    t_quantile,
    t_sf,
    two_proportions,
    welch,
)

# Wikipedia, "Welch's t-test", example 1 (two samples of 15): t = -2.46, p = 0.021.
A1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
A2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]


def arm(sample: list[float]) -> Mean:
    return Mean(statistics.mean(sample), statistics.stdev(sample), len(sample))


def test_welch_matches_the_published_example():
    result = welch(arm(A2), arm(A1))
    assert round(result.statistic, 2) == -2.46
    assert round(result.p_value, 3) == 0.021
    assert 24.5 < result.degrees_of_freedom < 25.5
    assert result.verdict is Verdict.NOT_NEUTRAL


@pytest.mark.parametrize(
    ("df", "quantile"),
    # Student's t table, two-sided 95 %: the values in every statistics textbook.
    [(1, 12.706), (5, 2.571), (10, 2.228), (30, 2.042), (120, 1.980)],
)
def test_t_quantiles_match_the_table(df, quantile):
    assert round(t_quantile(0.975, df), 3) == quantile
    assert math.isclose(2 * t_sf(quantile, df), 0.05, abs_tol=2e-4)


def test_two_proportions_by_hand():
    # 120/1000 vs 150/1000: pooled p = 0.135, se = sqrt(.135 * .865 * 2/1000) = 0.015282,
    # z = 0.03 / 0.015282 = 1.963, two-sided p = 0.0496; interval 0.03 ± 1.96 * 0.015232.
    result = two_proportions(Proportion(120, 1000), Proportion(150, 1000))
    assert round(result.statistic, 3) == 1.963
    assert round(result.p_value, 4) == 0.0496
    low, high = result.interval
    assert round(low, 4) == 0.0001 and round(high, 4) == 0.0599
    assert result.verdict is Verdict.NOT_NEUTRAL


def test_z_squared_is_pearsons_chi_squared():
    # The two-proportion z-test is the 2x2 chi-squared test without continuity correction.
    a, b = Proportion(481, 5012), Proportion(530, 4988)
    table = [[a.successes, a.trials - a.successes], [b.successes, b.trials - b.successes]]
    total = a.trials + b.trials
    rows = [sum(r) for r in table]
    cols = [table[0][j] + table[1][j] for j in range(2)]
    chi2 = sum(
        (table[i][j] - rows[i] * cols[j] / total) ** 2 / (rows[i] * cols[j] / total)
        for i in range(2)
        for j in range(2)
    )
    assert math.isclose(two_proportions(a, b).statistic ** 2, chi2, rel_tol=1e-9)


def test_an_aa_test_that_shows_nothing_is_neutral_in_words():
    result = compare(Proportion(1000, 20000), Proportion(1012, 20000))
    assert result.verdict is Verdict.NEUTRAL
    assert sentence(result.verdict, result.p_value).startswith("Neutral (p = 0.7")
    # Just above the 5 % line is still neutral; just below is not.
    assert compare(Proportion(1000, 20000), Proportion(1080, 20000)).verdict is Verdict.NEUTRAL
    worse = compare(Proportion(1000, 20000), Proportion(1100, 20000))
    assert sentence(worse.verdict, worse.p_value) == (
        f"Not neutral (p = {worse.p_value:.3f}): find the bug before trusting any A/B result."
    )
    assert sentence(Verdict.NOT_NEUTRAL, 0.0001).startswith("Not neutral (p < 0.001)")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (Proportion(5, 0), Proportion(1, 10)),
        (Proportion(11, 10), Proportion(1, 10)),
        (Mean(1, 1, 1), Mean(1, 1, 10)),
        (Mean(1, float("nan"), 5), Mean(1, 1, 10)),
        (Proportion(1, 10), Mean(1, 1, 10)),
    ],
)
def test_arms_that_cannot_be_compared_say_why(a, b):
    with pytest.raises(StatisticsError):
        compare(a, b)
