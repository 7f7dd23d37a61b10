"""`{% sso_providers as providers %}`: the single sign-on providers this deployment offers
(empty when it is off), for the login and invitation pages' buttons."""

from __future__ import annotations

from django import template

from teams import sso

register = template.Library()


@register.simple_tag
def sso_providers() -> list[sso.Provider]:
    return sso.configured()
