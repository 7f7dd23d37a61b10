"""Never a 500 from a form: every form the pages render is sent back with one field at a time
made hostile (20,000 characters, a NUL, a number too large for a float, a date in year 1 or
9999, a choice that was never offered, ...), the rest as the page filled it in.

The forms are found by reading the pages, as a person (or a script) would, not from a list:
a form added later is covered without touching this test. The pages are every page of the
URLconf the demo team's lead can open (the lead sees every form of the team), and the public
ones signed out. Each request runs in a transaction rolled back afterwards, so every form is
tried against the same world.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.test_role_matrix import (
    KWARGS,
    LEAD,
    MEMBER,
    PAGES,
    PUBLIC,
    SIGNED_IN,
    VIEWER,
    World,
    build_world,
    url_names,
)

pytestmark = pytest.mark.django_db

TEXT = ["x" * 20_000, "a\x00b", "   "]
HOSTILE: dict[str, list[str]] = {
    "text": TEXT,
    "textarea": TEXT,
    "search": TEXT,
    "password": ["x" * 20_000, "a\x00b"],
    "email": ["x" * 20_000 + "@example.com", "not-an-email", "a\x00b@example.com"],
    "url": ["javascript:alert(1)", "https://" + "x" * 20_000, "a\x00b"],
    "number": ["1e309", "-1e309", "NaN", "99999999999999999999", "-1", "0.5", "x"],
    "date": ["0001-01-01", "9999-12-31", "2026-02-30", "x"],
    "time": ["25:00", "23:59:60", "x"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59", "x"],
    "week": ["0001-W01", "9999-W53", "2026-W99", "x"],
    "hidden": ["x" * 20_000, "-1", "99999999999999999999", "a\x00b"],
    "select": ["not-a-choice", "99999999999999999999"],
    "checkbox": ["not-a-choice", "99999999999999999999"],
    "radio": ["not-a-choice"],
}
SKIPPED_TYPES = {"submit", "button", "reset", "file", "image"}
# Signing out ends the session the crawl runs in; the admin is Django's own.
SKIPPED_ACTIONS = ("/accounts/logout/", "/admin/")


@dataclass
class Form:
    page: str
    method: str
    action: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type, value)
    # Checkboxes and radio buttons the page offers unchecked: not sent, but made hostile.
    unchecked: list[tuple[str, str, str]] = field(default_factory=list)

    def names(self) -> list[tuple[str, str]]:
        both = self.fields + self.unchecked
        return list(dict.fromkeys((name, kind) for name, kind, _ in both))

    def data(self, hostile: tuple[str, str] | None = None) -> dict[str, list[str]]:
        """The form as the page filled it in, with `hostile` = (name, value) replacing the
        values of that name."""
        data: dict[str, list[str]] = {}
        for name, _, value in self.fields:
            data.setdefault(name, []).append(value)
        if hostile:
            data[hostile[0]] = [hostile[1]]
        return data


class FormReader(HTMLParser):
    """The forms of a page: their method, action (or hx-post), and the fields a browser
    would send, with the values the page put in them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.textarea: str | None = None
        self.text = ""
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.option_value: str | None = None
        self.option_selected = False
        self.option_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = a.get("hx-post") or a.get("action") or self.page
            method = "post" if "hx-post" in a else (a.get("method") or "get").lower()
            self.form = Form(self.page, method, urljoin(self.page, action))
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if not a.get("name") or kind in SKIPPED_TYPES:
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                self.form.unchecked.append((a["name"], kind, a.get("value", "on")))
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.form.fields.append((a["name"], kind, a.get("value", default)))
        elif tag == "textarea" and a.get("name"):
            self.textarea, self.text = a["name"], ""
        elif tag == "select" and a.get("name"):
            self.select, self.options = a["name"], []
        elif tag == "option" and self.select:
            self.option_value = a.get("value")
            self.option_selected = "selected" in a
            self.option_text = ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data
        if self.option_value is not None or self.select:
            self.option_text += data

    def handle_endtag(self, tag: str) -> None:
        if self.form is None:
            return
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            self.form.fields.append((self.textarea, "textarea", self.text))
            self.textarea = None
        elif tag == "option" and self.select:
            value = self.option_value if self.option_value is not None else self.option_text
            self.options.append((value.strip(), self.option_selected))
            self.option_value = None
        elif tag == "select" and self.select:
            chosen = [v for v, selected in self.options if selected] or [
                v for v, _ in self.options[:1]
            ]
            for value in chosen:
                self.form.fields.append((self.select, "select", value))
            if not chosen:
                self.form.fields.append((self.select, "select", ""))
            self.select = None


def skipped(form: Form) -> bool:
    url = urlsplit(form.action)
    return (
        form.method not in ("get", "post")  # <form method="dialog"> only closes a dialog
        or url.path.startswith(SKIPPED_ACTIONS)
        or url.netloc not in ("", "testserver")
    )


def read_forms(page: str, response: Any) -> list[Form]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    reader = FormReader(page)
    reader.feed(response.content.decode())
    return [form for form in reader.forms if not skipped(form)]


def pages(world: World, signed_in: bool) -> list[str]:
    """Every page (URL) one can open: as the lead, or signed out."""
    can = (PUBLIC, SIGNED_IN, VIEWER, MEMBER, LEAD) if signed_in else (PUBLIC,)
    urls = []
    for name, route in url_names():
        row = PAGES.get(name)
        if row is None or row.get not in can or route.startswith("admin/"):
            continue
        kwargs = KWARGS.get(name, lambda w, who: {})(world, "lead")
        if "team_slug" in route:
            kwargs["team_slug"] = world.team.slug
        urls.append(reverse(name, kwargs=kwargs))
    return urls


def send(client: Client, form: Form, data: dict[str, list[str]]) -> Any:
    """The answer (its writes rolled back), or, as a sentence, the exception a 500 would
    have been."""
    path, query = urlsplit(form.action).path, urlsplit(form.action).query
    url = f"{path}?{query}" if query else path
    try:
        with transaction.atomic():
            if form.method == "post":
                response = client.post(url, data, HTTP_HX_REQUEST="true")
            else:
                response = client.get(url, data)
            transaction.set_rollback(True)
    except Exception as exc:  # what would have been a 500, named
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return response


def as_a_person_fills_it(form: Form) -> dict[str, list[str]]:
    """The page's values, a word in each empty text field, and, where no box of a name is
    ticked, the first box whose value no other field sends (required and optional attendees
    are different people)."""
    data = form.data()
    for name, kind, value in form.fields:
        if kind in ("text", "textarea") and not value.strip():
            data[name] = ["Probe"]
    for name, _, value in form.unchecked:
        if name not in data and not any(value in sent for sent in data.values()):
            data[name] = [value]
    return data


def crawl(client: Client, urls: list[str]) -> tuple[list[Form], list[str]]:
    """The forms of the pages and of the answers to sending each as a person would (the
    planner's proposals come back as forms to book), each then made hostile field by field.
    Forms that differ only in the object they act on (item 5's Park, item 7's) are tried
    once."""
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    forms: list[Form] = []

    def add(found: list[Form]) -> None:
        for form in found:
            path = re.sub(r"/\d+/", "/N/", urlsplit(form.action).path)
            key = (form.method, path, tuple(n for n, _, _ in form.fields))
            if key not in seen:
                seen.add(key)
                forms.append(form)

    for url in urls:
        add(read_forms(url, client.get(url, follow=True)))
    for form in list(forms):
        answer = send(client, form, as_a_person_fills_it(form))
        if not isinstance(answer, str):
            add(read_forms(urlsplit(form.action).path, answer))
    failures = []
    for form in forms:
        for name, kind in form.names():
            for value in HOSTILE.get(kind, TEXT):
                answer = send(client, form, form.data((name, value)))
                got = answer if isinstance(answer, str) else answer.status_code
                if isinstance(got, str) or got >= 500:
                    shown = value if len(value) < 40 else f"{value[:12]}… ({len(value)} chars)"
                    failures.append(
                        f"{form.method.upper()} {urlsplit(form.action).path} (form on "
                        f"{form.page}) {name}={shown!r}: {got}"
                    )
    return forms, failures


def test_every_form_survives_hostile_fields_as_the_lead():
    world = build_world()
    client = Client()
    client.force_login(world.people["lead"])
    forms, failures = crawl(client, pages(world, signed_in=True))
    # Positive control: the crawl reaches the team's forms, those of the pages that change
    # data most, with their fields.
    actions = {(f.method, re.sub(r"\d+", "N", urlsplit(f.action).path)) for f in forms}
    for expected in [
        ("post", "/t/demo/items/"),
        ("post", "/t/demo/vision/abandon/"),
        ("post", "/t/demo/vision/criteria/"),
        ("post", "/t/demo/milestones/N/move/"),
        ("post", "/t/demo/tripwires/N/mute/"),
        ("post", "/t/demo/settings/"),
        ("post", "/me/"),
        ("post", "/t/demo/schedule/book/"),  # from the planner's answer, not a page
    ]:
        assert expected in actions, (expected, sorted(actions))
    assert len(forms) >= 40, len(forms)
    assert not failures, "\n".join(failures)


def test_every_public_form_survives_hostile_fields_signed_out():
    world = build_world()
    forms, failures = crawl(Client(), pages(world, signed_in=False))
    actions = {urlsplit(f.action).path for f in forms}
    assert "/accounts/login/" in actions and "/accounts/password/reset/" in actions, actions
    assert not failures, "\n".join(failures)


def test_the_reader_finds_fields_as_a_browser_sends_them():
    # Positive control for the parser the crawl relies on.
    reader = FormReader("/t/x/")
    reader.feed(
        '<form method="post" action="/a/"><input type="hidden" name="csrfmiddlewaretoken" '
        'value="t"><input name="title" value="T"><textarea name="why">W &amp; more</textarea>'
        '<select name="owner"><option value="">-</option><option value="u" selected>U</option>'
        '</select><input type="checkbox" name="c" value="1" checked><input type="checkbox" '
        'name="c" value="2"><button type="submit">Go</button></form>'
        '<form hx-post="/b/"><input type="number" name="n" value="3"></form><form><input '
        'name="q"></form>'
    )
    assert [(f.method, f.action) for f in reader.forms] == [
        ("post", "/a/"),
        ("post", "/b/"),
        ("get", "/t/x/"),
    ]
    assert reader.forms[0].fields == [
        ("csrfmiddlewaretoken", "hidden", "t"),
        ("title", "text", "T"),
        ("why", "textarea", "W & more"),
        ("owner", "select", "u"),
        ("c", "checkbox", "1"),
    ]
    assert reader.forms[0].unchecked == [("c", "checkbox", "2")]
    assert reader.forms[0].data(("title", "x")) == {
        "csrfmiddlewaretoken": ["t"],
        "title": ["x"],
        "why": ["W & more"],
        "owner": ["u"],
        "c": ["1"],
    }
