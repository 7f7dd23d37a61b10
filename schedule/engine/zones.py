"""Time-zone names as people read them."""

from __future__ import annotations


def city_name(zone_name: str) -> str:
    """'America/New_York' -> 'New York': how a person names the place a time is in."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")
