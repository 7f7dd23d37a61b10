"""A worker compiles every template before its first request (core/warmup.py, config/wsgi.py):
which also proves that every template of the project compiles, rendered by a test or not."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

from core.warmup import warm_up

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_every_project_template_compiles_at_warm_up(caplog):
    ours = [p for p in TEMPLATES.rglob("*") if p.is_file() and p.suffix in {".html", ".txt"}]
    assert len(ours) > 50
    with caplog.at_level(logging.INFO, logger="core.warmup"):
        compiled = warm_up()
    assert compiled >= len(ours)  # ours plus the form widgets'
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "templates ready" in caplog.text


def test_a_template_that_cannot_compile_is_named_and_the_rest_still_warm(
    tmp_path, settings, caplog
):
    (tmp_path / "broken.html").write_text("{% if %}")
    (tmp_path / "fine.html").write_text("{{ 1 }}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path]},
    ]
    with caplog.at_level(logging.WARNING, logger="core.warmup"):
        compiled = warm_up()
    assert "broken.html" in caplog.text
    assert compiled >= 1
