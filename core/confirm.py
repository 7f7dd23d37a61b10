"""Confirm first, for the destructive actions an undo cannot safely reverse.

A revoked secret (wall screen, calendar feed, invitation, pipeline token) is not brought
back: whoever held it may already have been the reason to revoke it, and a token that
could come back to life is a token nobody can trust to be dead. A removed calendar's
address is itself often a secret, and removing it should forget it. For these the view
asks first: a POST without `confirmed=yes` answers a page that says what will happen and
posts the same form again with the flag. It works the same with and without JavaScript,
and the buttons on the pages stay plain forms.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"


def confirm_first(
    request: HttpRequest, *, question: str, consequence: str, button: str, back: str
) -> HttpResponse | None:
    """None once the person confirmed; otherwise the page that asks them to."""
    if request.POST.get(CONFIRM_FIELD) == "yes":
        return None
    return render(
        request,
        "core/confirm.html",
        {
            "question": question,
            "consequence": consequence,
            "button": button,
            "back": back,
            "action": request.get_full_path(),
            "field": CONFIRM_FIELD,
        },
    )
