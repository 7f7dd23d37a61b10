"""Detection properties (pure: no database)."""

from __future__ import annotations

import ast
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tripwires import detect
from tripwires.detect import Cause, Point, Settings, Status, assess

T0 = datetime(2025, 1, 1, 6, tzinfo=UTC)
NOW_AFTER = timedelta(hours=1)


def series(gaps: list[float], *, baseline: float = 3.0, higher: bool = True) -> list[Point]:
    sign = 1 if higher else -1
    return [
        Point(T0 + timedelta(days=i), baseline + sign * g, baseline) for i, g in enumerate(gaps)
    ]


def run(points: list[Point], **kw) -> detect.Assessment:
    return assess(points, Settings(**kw), points[-1].at + NOW_AFTER)


noisy = st.lists(st.floats(-0.2, 0.2), min_size=40, max_size=120)


@given(gap=st.floats(1e-6, 1e6), n=st.integers(1, 200), baseline=st.floats(-1e6, 1e6))
def test_a_constant_gap_never_trips(gap, n, baseline):
    result = run(series([gap] * n, baseline=baseline), reference_window=7)
    assert result.status in (Status.OK, Status.LEARNING)
    assert not result.transitions


@settings(max_examples=60)
@given(
    noise=noisy,
    scale=st.floats(1e-3, 1e3),
    higher=st.booleans(),
    drop_at=st.integers(30, 39),
    drop=st.floats(0, 1.5),
)
def test_scaling_every_value_by_a_positive_constant_changes_nothing(
    noise, scale, higher, drop_at, drop
):
    gaps = [1.0 + e - (drop if i >= drop_at else 0) for i, e in enumerate(noise)]
    points = series(gaps, higher=higher)
    scaled = [Point(p.at, p.production * scale, p.baseline * scale) for p in points]
    a, b = run(points, higher_is_better=higher), run(scaled, higher_is_better=higher)
    assert (a.status, a.cause, a.change_point) == (b.status, b.cause, b.change_point)
    assert [(t.at, t.tripped) for t in a.transitions] == [(t.at, t.tripped) for t in b.transitions]
    assert math.isclose(a.reference_gap * scale, b.reference_gap, rel_tol=1e-9)


@settings(max_examples=80)
@given(noise=noisy, higher=st.booleans(), flipped=st.lists(st.floats(0, 5), min_size=2, max_size=5))
def test_a_sign_flip_always_trips(noise, higher, flipped):
    gaps = [1.0 + e for e in noise] + [-f for f in flipped]
    result = run(series(gaps, higher=higher), higher_is_better=higher)
    assert result.status == Status.TRIPPED
    assert result.transitions and result.transitions[-1].tripped


def test_a_sign_flip_trips_at_the_second_point_even_while_learning():
    result = run(series([1.0, 1.1, -0.5, -0.4]))
    assert result.status == Status.TRIPPED and result.cause == Cause.SIGN_FLIP
    assert result.change_point == T0 + timedelta(days=2)
    one = run(series([1.0, 1.1, -0.5]))
    assert one.status == Status.LEARNING  # one point below is as likely an outlier


def test_lower_is_better_flips_the_sign():
    # Latency: production 80 ms, baseline 100 ms is a gap of +20.
    points = [Point(T0 + timedelta(days=i), 80.0, 100.0) for i in range(30)]
    assert run(points, higher_is_better=False).reference_gap == 20.0
    assert run(points, higher_is_better=True).status == Status.TRIPPED


def test_a_shrinking_gap_trips_with_the_change_point():
    rng = random.Random(3)
    gaps = [1 + rng.gauss(0, 0.1) for _ in range(40)] + [0.5 + rng.gauss(0, 0.1) for _ in range(15)]
    result = run(series(gaps))
    assert result.status == Status.TRIPPED and result.cause == Cause.SHRINKING_GAP
    assert T0 + timedelta(days=38) <= result.change_point <= T0 + timedelta(days=41)
    assert 0.3 < result.current_gap < 0.7


def test_a_loss_within_the_tolerance_does_not_trip():
    rng = random.Random(5)
    gaps = [1 + rng.gauss(0, 0.05) for _ in range(28)] + [
        0.85 + rng.gauss(0, 0.05) for _ in range(200)
    ]
    assert run(series(gaps)).status == Status.OK


def test_recovery_clears_the_trip():
    gaps = [1.0] * 28 + [0.4] * 5 + [1.0] * 5
    result = run(series(gaps))
    assert result.status == Status.OK
    assert [t.tripped for t in result.transitions] == [True, False]


def test_learning_then_ok_and_a_pinned_gap_skips_learning():
    assert run(series([1.0] * 5)).status == Status.LEARNING
    assert run(series([1.0] * 28)).status == Status.OK
    pinned = run(series([1.0] * 28), reference_gap=2.0)
    assert pinned.reference_gap == 2.0
    assert pinned.status == Status.TRIPPED  # half the pinned gap: well past the tolerance


def test_stale_after_twice_the_expected_interval():
    points = series([1.0] * 30)
    last = points[-1].at
    settings_ = Settings(expected_interval=timedelta(hours=24))
    assert assess(points, settings_, last + timedelta(hours=47)).status == Status.OK
    assert assess(points, settings_, last + timedelta(hours=49)).status == Status.STALE


def test_detect_imports_no_django():
    for module in ("detect.py", "neutral.py", "picture.py"):
        tree = ast.parse((Path(detect.__file__).parent / module).read_text())
        names = [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [n for n in names if n.startswith("django")], module
