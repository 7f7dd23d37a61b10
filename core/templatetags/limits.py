"""Limits in templates come from the model field that enforces them, never a copied number:
`{% load limits %}<input maxlength="{{ item|max_length:'outcome' }}">`."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def max_length(instance: Any, field_name: str) -> int | None:
    """The `max_length` of a model instance's field."""
    return instance._meta.get_field(field_name).max_length
