"""Neutral (A/A) test statistics: pure Python, no Django, no SciPy.

Two arms that should not differ. Proportions (successes/trials) use the two-proportion z-test
(pooled standard error for the p-value, unpooled for the interval); means (mean/sd/n) use
Welch's t-test with the Welch-Satterthwaite degrees of freedom, the t distribution coming from
the regularised incomplete beta function. The difference is always B - A.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from statistics import NormalDist

ALPHA = 0.05  # a neutral test is "not neutral" when p < ALPHA
CONFIDENCE = 1 - ALPHA
_NORMAL = NormalDist()


class Verdict(enum.StrEnum):
    NEUTRAL = "neutral"
    NOT_NEUTRAL = "not_neutral"


@dataclass(frozen=True)
class Proportion:
    successes: int
    trials: int


@dataclass(frozen=True)
class Mean:
    mean: float
    sd: float
    n: int


Arm = Proportion | Mean


@dataclass(frozen=True)
class Result:
    difference: float
    interval: tuple[float, float]
    p_value: float
    verdict: Verdict
    statistic: float
    degrees_of_freedom: float | None = None


class StatisticsError(ValueError):
    """The arms cannot be compared (the message says why, for a person)."""


def sentence(verdict: Verdict, p_value: float) -> str:
    if verdict is Verdict.NEUTRAL:
        return f"Neutral ({p_words(p_value)}): no difference between the arms."
    return f"Not neutral ({p_words(p_value)}): find the bug before trusting any A/B result."


def p_words(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def _verdict(p_value: float) -> Verdict:
    return Verdict.NOT_NEUTRAL if p_value < ALPHA else Verdict.NEUTRAL


def two_proportions(a: Proportion, b: Proportion) -> Result:
    for name, arm in (("A", a), ("B", b)):
        if arm.trials < 1:
            raise StatisticsError(f"Arm {name} needs at least one trial.")
        if not 0 <= arm.successes <= arm.trials:
            raise StatisticsError(f"Arm {name}'s successes must be between 0 and its trials.")
    pa, pb = a.successes / a.trials, b.successes / b.trials
    pooled = (a.successes + b.successes) / (a.trials + b.trials)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials))
    difference = pb - pa
    if se_pooled == 0:
        # Both arms all successes or all failures: identical, nothing to test.
        return Result(0.0, (0.0, 0.0), 1.0, Verdict.NEUTRAL, 0.0)
    z = difference / se_pooled
    p_value = 2 * (1 - _NORMAL.cdf(abs(z)))
    se = math.sqrt(pa * (1 - pa) / a.trials + pb * (1 - pb) / b.trials)
    half = _NORMAL.inv_cdf(1 - ALPHA / 2) * se
    return Result(difference, (difference - half, difference + half), p_value, _verdict(p_value), z)


def welch(a: Mean, b: Mean) -> Result:
    for name, arm in (("A", a), ("B", b)):
        if arm.n < 2:
            raise StatisticsError(f"Arm {name} needs at least two observations.")
        if not arm.sd >= 0 or not math.isfinite(arm.sd) or not math.isfinite(arm.mean):
            raise StatisticsError(f"Arm {name} needs a finite mean and a standard deviation ≥ 0.")
    va, vb = a.sd**2 / a.n, b.sd**2 / b.n
    difference = b.mean - a.mean
    se = math.sqrt(va + vb)
    if se == 0:
        if difference == 0:
            return Result(0.0, (0.0, 0.0), 1.0, Verdict.NEUTRAL, 0.0)
        raise StatisticsError("Both arms have no spread but different means: check the numbers.")
    t = difference / se
    df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
    p_value = 2 * t_sf(abs(t), df)
    half = t_quantile(1 - ALPHA / 2, df) * se
    return Result(
        difference, (difference - half, difference + half), p_value, _verdict(p_value), t, df
    )


def compare(a: Arm, b: Arm) -> Result:
    if isinstance(a, Proportion) and isinstance(b, Proportion):
        return two_proportions(a, b)
    if isinstance(a, Mean) and isinstance(b, Mean):
        return welch(a, b)
    raise StatisticsError("Give both arms as successes/trials, or both as mean/sd/n.")


# --- Student's t, from the regularised incomplete beta function ------------------------------


def t_sf(t: float, df: float) -> float:
    """P(T > t) for t ≥ 0 with `df` degrees of freedom."""
    x = df / (df + t * t)
    return 0.5 * _betainc(df / 2, 0.5, x)


def t_quantile(p: float, df: float) -> float:
    """The t with P(T ≤ t) = p, for p in (0.5, 1): bisection on t_sf (monotone)."""
    lo, hi = 0.0, 1.0
    while t_sf(hi, df) > 1 - p:
        hi *= 2
    for _ in range(100):
        mid = (lo + hi) / 2
        if t_sf(mid, df) > 1 - p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta I_x(a, b) (Numerical Recipes' continued fraction)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1 - math.exp(log_front) * _betacf(b, a, 1 - x) / b


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > tiny else tiny)
        c = 1 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1) < 3e-16:
            break
    return h
