"""Pay a worker's one-off costs before it takes its first request, not during it.

A fresh process builds the URL resolver and compiles every template it renders the first
time it renders it; on the week page that is ~80 ms on top of ~40 ms. A web server starts
several workers and replaces them now and then, so without this every new worker's first
few pages are slow. `config/wsgi.py` calls `warm_up()` once per process (with gunicorn's
--preload, once in the master before the workers fork).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import cast

import django.forms
from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver

logger = logging.getLogger(__name__)


def _templates_under(root: Path, prefix: str = "") -> list[str]:
    return [
        prefix + path.relative_to(root).as_posix()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.suffix in {".html", ".txt"}
    ]


def _project_templates() -> list[str]:
    """The project's own templates (templates/) and the form widgets' (every form renders
    them through FORM_RENDERER), not every installed app's."""
    names: list[str] = []
    for engine in settings.TEMPLATES:
        directories = cast(list[str | Path], engine.get("DIRS", []))
        for directory in directories:
            names += _templates_under(Path(directory))
    widgets = Path(django.forms.__file__).parent / "templates"
    names += _templates_under(widgets / "django" / "forms", prefix="django/forms/")
    return names


def warm_up() -> int:
    """Build the URL resolver and compile the project's templates into the cached loader.

    Returns how many templates were compiled. A template that cannot compile is logged and
    left to fail where it is used, as it would have without the warm-up.
    """
    began = time.monotonic()
    get_resolver().reverse_dict  # noqa: B018 -- the first access builds the whole resolver
    engine = engines["django"]
    compiled = 0
    for name in _project_templates():
        try:
            engine.get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
            logger.warning("warm-up: template %s does not compile: %s", name, exc)
        else:
            compiled += 1
    logger.info(
        "warm-up: URL resolver and %d templates ready in %.0f ms",
        compiled,
        (time.monotonic() - began) * 1000,
    )
    return compiled
