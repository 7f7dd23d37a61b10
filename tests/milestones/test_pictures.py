from __future__ import annotations

from datetime import date

from milestones.pictures import RoadmapMarker, roadmap, sparkline


def test_roadmap_places_periods_today_reviews_and_milestones():
    start, end = date(2026, 7, 27), date(2027, 4, 27)
    picture = roadmap(
        start,
        end,
        today=date(2026, 11, 24),
        reviewed={1},
        milestones=[RoadmapMarker("Leakage audit", date(2026, 12, 15), "~ mid-December")],
    )
    assert [b.label for b in picture.bands] == ["Period 1", "Period 2", "Period 3"]
    assert [b.is_current for b in picture.bands] == [False, True, False]
    assert picture.bands[0].x == 16 and picture.bands[-1].x + picture.bands[-1].width == 944
    assert [t.label for t in picture.ticks] == [
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
        "Jan 2027",
        "Feb",
        "Mar",
        "Apr",
    ]
    assert [(r.due_on, r.held) for r in picture.reviews] == [
        (date(2026, 10, 27), True),
        (date(2027, 1, 27), False),
        (date(2027, 4, 27), False),
    ]
    assert picture.bands[1].x < picture.today_x < picture.bands[1].x + picture.bands[1].width
    assert [m.title for m in picture.milestones] == ["Leakage audit"]
    assert picture.today_x < picture.milestones[0].x < picture.reviews[1].x


def test_roadmap_leaves_out_today_and_milestones_outside_the_vision():
    picture = roadmap(
        date(2026, 1, 1),
        date(2026, 10, 1),
        today=date(2027, 1, 1),
        reviewed=set(),
        milestones=[RoadmapMarker("Later", date(2027, 2, 1), "~ February")],
    )
    assert picture.today_x is None and picture.milestones == []


def test_sparkline_draws_values_and_target_within_its_box():
    assert sparkline([0.3], 0.4) is None  # one value draws no line
    spark = sparkline([0.31, 0.33, 0.36], 0.35)
    points = [tuple(map(float, p.split(","))) for p in spark.points.split()]
    assert len(points) == 3 and points[0][0] < points[1][0] < points[2][0]
    assert all(0 <= y <= spark.height for _, y in points)
    assert points[2][1] < spark.target_y < points[1][1]  # above the target line, then below
    flat = sparkline([5, 5, 5], 5)
    assert flat is not None and flat.target_y == float(flat.points.split()[0].split(",")[1])
