"""The one-way import graph: tripwires depends on core and teams only, and nothing imports it
(the wall panel is registered in core's registry, not imported by the wall)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = {"core", "teams", "milestones", "focusboard", "schedule", "tripwires", "config"}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_tripwires_imports_only_core_and_teams():
    files = list((ROOT / "tripwires").rglob("*.py"))
    assert len(files) > 10  # the walk really sees the app
    for path in files:
        assert imported(path) & OURS <= {"core", "teams", "tripwires"}, path


def test_nothing_imports_tripwires():
    for app in OURS - {"tripwires"}:
        for path in (ROOT / app).rglob("*.py"):
            assert "tripwires" not in imported(path), path
