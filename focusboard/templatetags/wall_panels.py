"""`{% wall_panel panel %}`: draw one registered wall panel with its own template and context."""

from __future__ import annotations

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from core.wall import RenderedPanel

register = template.Library()


@register.simple_tag
def wall_panel(panel: RenderedPanel) -> SafeString:
    """Render the panel's template with its own context only: a panel sees nothing of the
    wall's variables, so it cannot come to depend on them. (The time zone the wall activates
    still applies: it is the thread's, not the context's.)"""
    # The panel's template escapes its own variables; its output is markup.
    return mark_safe(get_template(panel.template_name).render(dict(panel.context)))
