"""The code's shape, checked: dependencies point one way, and the pure parts stay pure.

core <- teams <- milestones <- focusboard, teams <- schedule, teams <- tripwires. An app that
needs to show something of an app above it (the wall screen, calendar feeds) gets it through
core's registries instead of an import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"core", "teams", "milestones", "focusboard", "schedule", "tripwires", "config"}
MAY_IMPORT = {
    "core": set(),
    "teams": {"core"},
    "milestones": {"core", "teams"},
    "focusboard": {"core", "teams", "milestones"},
    "schedule": {"core", "teams"},
    "tripwires": {"core", "teams"},
}
# Pure Python: no Django, nothing of ours outside themselves.
PURE = ["schedule/engine", "schedule/ical", "tripwires/detect.py"]


def _modules(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path) -> set[str]:
    """Top-level packages a module imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_apps_import_only_what_is_below_them(app):
    if not (ROOT / app).exists():
        assert app == "tripwires", f"{app}/ is missing"
        return  # not built yet
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(ROOT / app)
        for name in _imports(path) & OURS
        if name != app and name not in MAY_IMPORT[app]
    }
    assert not wrong, f"{app} may import only {sorted(MAY_IMPORT[app])}: " + "; ".join(
        sorted(wrong)
    )


@pytest.mark.parametrize("place", PURE)
def test_pure_parts_import_no_django_and_no_app(place):
    if not (ROOT / place).exists():
        return  # not built yet
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(ROOT / place)
        for name in _imports(path) & (OURS | {"django", "rest_framework"})
    }
    assert not wrong, "; ".join(sorted(wrong))


def test_the_check_catches_a_wrong_import(tmp_path):
    # A positive control: the scanner sees imports inside functions too.
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from schedule.selectors import x\n    import django\n")
    assert {"schedule", "django"} <= _imports(module)
