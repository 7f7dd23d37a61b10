"""How a measured value reads: as few digits as it needs (0.431, 58, 11.6), never 11.6000."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def measure(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
