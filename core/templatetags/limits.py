"""Limits in templates come from the model field that enforces them, never a copied number:
`{% load limits %}<input maxlength="{{ item|max_length:'outcome' }}">`."""

from __future__ import annotations

from typing import Any

from django import template

from core.limits import max_length_of

register = template.Library()


@register.filter
def max_length(instance: Any, field_name: str) -> int:
    """The `max_length` of a model instance's field."""
    return max_length_of(instance, field_name)
