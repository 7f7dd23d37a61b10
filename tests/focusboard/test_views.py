from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.utils import timezone

from core.tokens import hash_secret
from focusboard import services
from focusboard.models import FocusEvent, FocusItem, KioskToken
from teams.services import api_token_create
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lead_client(client, people):
    client.force_login(people.lead)
    return client


def test_board_shows_cards_cap_and_parked(lead_client, people, full_board):
    body = lead_client.get("/t/ml/").content.decode()
    assert "3/3" in body
    assert body.count('class="focus-card"') == 3
    assert "day 1" in body
    assert "The board is full: park, finish or swap an item first." in body
    assert 'id="swap-replace"' in body
    assert body.count('class="parked-item"') == 2


def test_add_without_js_redirects_back(lead_client, people):
    response = lead_client.post("/t/ml/items/", {"title": "Leakage", "why": "", "owner": ""})
    assert response.status_code == 302 and response["Location"] == "/t/ml/"
    assert FocusItem.objects.get().title == "Leakage"


def test_add_with_htmx_returns_the_board_fragment(lead_client, people):
    response = lead_client.post(
        "/t/ml/items/", {"title": "Leakage", "owner": people.member.pk}, **HX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="board"')
    assert "<html" not in body
    assert "Leakage" in body


def test_add_past_the_cap_is_409_with_the_message_in_the_fragment(lead_client, full_board):
    response = lead_client.post("/t/ml/items/", {"title": "Fourth"}, **HX)
    assert response.status_code == 409
    assert "The board is full" in response.content.decode()
    assert FocusItem.objects.count() == 5


def test_add_past_the_cap_without_js_shows_a_message(lead_client, full_board):
    response = lead_client.post("/t/ml/items/", {"title": "Fourth"}, follow=True)
    assert "at most 3 topics" in response.content.decode()


def test_add_parked_on_a_full_board(lead_client, full_board):
    lead_client.post("/t/ml/items/", {"title": "Idea", "status": "parked"}, **HX)
    assert FocusItem.objects.get(title="Idea").status == "parked"


@pytest.mark.parametrize("title", ["", "x" * 81])
def test_add_bad_title_is_400_and_says_why(lead_client, title):
    response = lead_client.post("/t/ml/items/", {"title": title}, **HX)
    assert response.status_code == 400
    assert "Title:" in response.content.decode()
    assert not FocusItem.objects.exists()


def test_add_with_a_foreign_owner_is_400(lead_client, people):
    response = lead_client.post("/t/ml/items/", {"title": "T", "owner": people.outsider.pk}, **HX)
    assert response.status_code == 400
    assert not FocusItem.objects.exists()


@pytest.mark.parametrize("action", ["park", "finish", "drop"])
def test_card_actions(lead_client, full_board, action):
    active, _ = full_board
    response = lead_client.post(f"/t/ml/items/{active[0].pk}/{action}/", **HX)
    assert response.status_code == 200
    expected = {"park": "parked", "finish": "done", "drop": "dropped"}[action]
    assert FocusItem.objects.get(pk=active[0].pk).status == expected


def test_resume_and_reorder(lead_client, full_board):
    active, parked = full_board
    lead_client.post(f"/t/ml/items/{active[0].pk}/park/")
    lead_client.post(f"/t/ml/items/{parked[0].pk}/activate/")
    lead_client.post(f"/t/ml/items/{parked[0].pk}/up/")
    order = list(
        FocusItem.objects.filter(status="active")
        .order_by("position")
        .values_list("title", flat=True)
    )
    assert order == ["Active 1", "Parked 0", "Active 2"]
    response = lead_client.post(f"/t/ml/items/{active[0].pk}/up/", **HX)  # parked: no order
    assert response.status_code == 409


def test_unknown_action_and_item_are_404(lead_client, full_board):
    active, _ = full_board
    assert lead_client.post(f"/t/ml/items/{active[0].pk}/explode/").status_code == 404
    assert lead_client.post("/t/ml/items/999999/park/").status_code == 404


def test_swap_picker(lead_client, full_board):
    active, parked = full_board
    response = lead_client.post(
        "/t/ml/items/swap/", {"item": parked[1].pk, "replace": active[2].pk}, **HX
    )
    assert response.status_code == 200
    assert FocusItem.objects.get(pk=parked[1].pk).status == "active"
    bad = lead_client.post("/t/ml/items/swap/", {"item": "x"}, **HX)
    assert bad.status_code == 400


def test_inline_edit(lead_client, people, full_board):
    active, _ = full_board
    form = lead_client.get(f"/t/ml/items/{active[0].pk}/edit/", **HX)
    assert form.status_code == 200
    assert form.content.decode().lstrip().startswith('<li class="focus-card editing"')
    response = lead_client.post(
        f"/t/ml/items/{active[0].pk}/edit/",
        {"title": "Sharper title", "why": "Because", "owner": people.lead.pk},
        **HX,
    )
    assert response.status_code == 200
    assert "Sharper title" in response.content.decode()
    bad = lead_client.post(f"/t/ml/items/{active[0].pk}/edit/", {"title": ""}, **HX)
    assert bad.status_code == 400
    assert FocusItem.objects.get(pk=active[0].pk).title == "Sharper title"


def test_viewer_sees_the_board_without_controls(client, people, full_board):
    client.force_login(people.viewer)
    body = client.get("/t/ml/").content.decode()
    assert "Active 0" in body
    assert "<form" not in body.split('id="board"')[1].split("</section>")[0]
    active, _ = full_board
    assert client.post(f"/t/ml/items/{active[0].pk}/park/").status_code == 403
    assert client.post("/t/ml/items/", {"title": "x"}).status_code == 403


def test_history_page(lead_client, people, full_board):
    active, parked = full_board
    services.focus_item_swap(item=parked[0], replace=active[0], actor=people.lead)
    body = lead_client.get("/t/ml/history/").content.decode()
    assert "<svg" in body and 'class="bar bar-active"' in body
    assert "focus switches this month" in body
    # Drawn twice: the wide timeline and the phone's (CSS shows one of them).
    wide, phone = body.split('class="timeline timeline-wide"')[1].split(
        'class="timeline timeline-phone"'
    )
    assert wide.count('<rect class="bar ') == 4 and phone.count('<rect class="bar ') == 4
    assert 'text-anchor="start"' in phone and 'text-anchor="end"' in wide


def test_focus_txt(client, people, full_board):
    people.member.first_name, people.member.last_name = "Renée", "Okafor"
    people.member.save()
    client.force_login(people.viewer)
    response = client.get("/t/ml/focus.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "ML Team is focused on (3 of 3):"
    # The owner by the name people call them, not the username ("member") they sign in with.
    assert lines[1] == "1. Active 0 — Renée Okafor, day 1"
    assert lines[4] == "Parked: Parked 1; Parked 0"
    assert re.fullmatch(r"As of \d{4}-\d\d-\d\d \d\d:\d\d Europe/Paris\.", lines[5])


def test_focus_txt_for_bots_with_a_token(client, people, full_board):
    _, key = api_token_create(user=people.member, name="bot")
    response = client.get("/t/ml/focus.txt", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and b"Active 0" in response.content
    assert client.get("/t/ml/focus.txt", HTTP_AUTHORIZATION="Token nope").status_code == 401
    assert client.get("/t/ml/focus.txt").status_code == 302
    _, outsider = api_token_create(user=people.outsider, name="bot")
    assert client.get("/t/ml/focus.txt", HTTP_AUTHORIZATION=f"Token {outsider}").status_code == 404


def test_focus_txt_title_is_not_html_escaped(client, people, add):
    add("Fix <script> & 'quotes'")
    client.force_login(people.lead)
    assert "Fix <script> & 'quotes'" in client.get("/t/ml/focus.txt").content.decode()


# --- Wall screen ------------------------------------------------------------------------------


def test_wall_page_is_full_screen_and_polls(lead_client, full_board):
    body = lead_client.get("/t/ml/wall/").content.decode()
    assert 'class="topbar"' not in body  # no navigation chrome
    assert 'hx-trigger="every 30s"' in body
    assert body.count('class="wall-card"') == 3
    assert "updated" in body and 'id="wall-offline"' in body
    assert "<a " not in body.split("<body")[1]  # nothing to click on a wall


def test_wall_partial_fragment(lead_client, full_board):
    response = lead_client.get(f"/t/ml/wall/content/?since={time.time():.0f}", **HX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="wall-content"')
    assert "<html" not in body


def test_reload_all_screens(lead_client, client, people):
    since = time.time() - 5
    before = lead_client.get(f"/t/ml/wall/content/?since={since:.0f}", **HX)
    assert "HX-Refresh" not in before
    assert lead_client.post("/t/ml/wall/reload/").status_code == 302
    after = lead_client.get(f"/t/ml/wall/content/?since={since:.0f}", **HX)
    assert after["HX-Refresh"] == "true"
    # A screen loaded after the request does not reload again.
    fresh = lead_client.get(f"/t/ml/wall/content/?since={time.time() + 1:.0f}", **HX)
    assert "HX-Refresh" not in fresh
    client.force_login(people.member)
    assert client.post("/t/ml/wall/reload/").status_code == 403


@pytest.mark.parametrize("since", ["yesterday", "nan", "inf", "-inf", "1e400", ""])
def test_wall_partial_survives_a_garbage_since(lead_client, since):
    response = lead_client.get(f"/t/ml/wall/content/?since={since}", **HX)
    assert response.status_code == 200
    assert 'hx-get="/t/ml/wall/content/?since=' in response.content.decode()


def create_kiosk(lead_client) -> str:
    response = lead_client.post("/t/ml/settings/kiosk/", {"label": "Team room"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = re.search(r'value="http://testserver/wall/([^/"]+)/"', response.content.decode())
    assert match, response.content
    return match.group(1)


def test_kiosk_token_lifecycle(lead_client, full_board):
    secret = create_kiosk(lead_client)
    client = Client()  # a wall screen: nobody logged in
    token = KioskToken.objects.get()
    assert len(secret) >= 43  # 256 bits, urlsafe base64
    assert token.token_hash == hash_secret(secret) and secret not in token.token_hash
    # The wall works without logging in, and says nothing to search engines.
    response = client.get(f"/wall/{secret}/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "no-referrer"
    body = response.content.decode()
    assert "Active 0" in body and "<input" not in body and "<a " not in body.split("<body")[1]
    assert client.get(f"/wall/{secret}/content/", **HX).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    # The settings page lists it with its last-seen time, never the secret.
    settings_page = lead_client.get("/t/ml/settings/").content.decode()
    assert "Team room" in settings_page and secret not in settings_page
    # It grants nothing else.
    assert client.get("/t/ml/").status_code == 302
    assert client.get("/api/v1/teams/ml/focus-items/").status_code == 401
    # Revoked: gone, in words, and the screen's poll is told to reload into that page.
    lead_client.post(f"/t/ml/settings/kiosk/{token.pk}/revoke/", {"confirmed": "yes"})
    page = client.get(f"/wall/{secret}/")
    assert page.status_code == 410 and "This screen was disconnected" in page.content.decode()
    assert "hx-get" not in page.content.decode() and "Active 0" not in page.content.decode()
    poll = client.get(f"/wall/{secret}/content/", **HX)
    assert poll.status_code == 410 and poll["HX-Refresh"] == "true" and poll.content == b""
    assert client.get(f"/wall/{secret}/content/").status_code == 410


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_kiosk_token_says_the_screen_was_disconnected(client, db, settings, debug):
    """The same page in development and production: never Django's debug 404."""
    settings.DEBUG = debug
    for path in ("/wall/not-a-token/", "/wall/" + "x" * 300 + "/", "/wall/nope/content/"):
        response = client.get(path)
        body = response.content.decode()
        assert response.status_code == 410, path
        assert "This screen was disconnected" in body and "ask a lead" in body.lower()
        assert "Page not found" not in body and "URLconf" not in body
        assert response["Referrer-Policy"] == "no-referrer"


def test_kiosk_tokens_are_for_leads(client, people):
    client.force_login(people.member)
    assert client.post("/t/ml/settings/kiosk/", {"label": "x"}).status_code == 403
    client.force_login(people.outsider)
    assert client.post("/t/ml/settings/kiosk/", {"label": "x"}).status_code == 404
    assert not KioskToken.objects.exists()


def test_kiosk_last_seen_is_written_at_most_once_a_minute(lead_client):
    secret = create_kiosk(lead_client)
    client = Client()
    client.get(f"/wall/{secret}/content/")
    first = KioskToken.objects.get().last_used_at
    client.get(f"/wall/{secret}/content/")
    assert KioskToken.objects.get().last_used_at == first
    KioskToken.objects.update(last_used_at=timezone.now() - timezone.timedelta(minutes=5))
    client.get(f"/wall/{secret}/content/")
    assert KioskToken.objects.get().last_used_at > first


# --- Roles and query counts ---------------------------------------------------------------------

WHO = ["anonymous", "outsider", "viewer", "member", "lead"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/t/ml/", [302, 404, 200, 200, 200]),
        ("/t/ml/history/", [302, 404, 200, 200, 200]),
        ("/t/ml/focus.txt", [302, 404, 200, 200, 200]),
        ("/t/ml/wall/", [302, 404, 200, 200, 200]),
        ("/t/ml/wall/content/", [302, 404, 200, 200, 200]),
        ("/t/ml/items/{item}/edit/", [302, 404, 403, 200, 200]),
    ],
)
@pytest.mark.parametrize("who", WHO)
def test_page_role_matrix(client, people, add, who, path, expected):
    item = add("Topic")
    user = people.user(who)
    if user:
        client.force_login(user)
    response = client.get(path.format(item=item.pk))
    assert response.status_code == expected[WHO.index(who)]


# (path, form data, what members and leads change: {title: status} after the post)
WRITES = [
    ("/t/ml/items/", {"title": "New"}, {"Topic": "active", "Idea": "parked", "New": "active"}),
    ("/t/ml/items/{item}/park/", {}, {"Topic": "parked", "Idea": "parked"}),
    ("/t/ml/items/{item}/edit/", {"title": "Edited"}, {"Edited": "active", "Idea": "parked"}),
    (
        "/t/ml/items/swap/",
        {"item": "{idea}", "replace": "{item}"},
        {"Topic": "parked", "Idea": "active"},
    ),
]
UNCHANGED = {"Topic": "active", "Idea": "parked"}


@pytest.mark.parametrize(("path", "data", "changed"), WRITES)
@pytest.mark.parametrize("who", WHO)
def test_write_role_matrix(client, people, add, who, path, data, changed):
    item = add("Topic")
    idea = add("Idea", status="parked")
    user = people.user(who)
    if user:
        client.force_login(user)
    ids = {"item": item.pk, "idea": idea.pk}
    response = client.post(path.format(**ids), {k: v.format(**ids) for k, v in data.items()})
    board = dict(FocusItem.objects.values_list("title", "status"))
    expected = {"anonymous": 302, "outsider": 404, "viewer": 403, "member": 302, "lead": 302}
    assert response.status_code == expected[who]
    if who in ("member", "lead"):
        assert response["Location"] == "/t/ml/"
        assert board == changed
        assert FocusEvent.objects.count() > 2
    else:
        assert board == UNCHANGED
        assert FocusEvent.objects.count() == 2


@pytest.mark.parametrize("path", ["/t/ml/", "/t/ml/wall/content/", "/t/ml/history/"])
def test_board_wall_and_history_queries_do_not_grow(
    client, people, add, path, django_assert_max_num_queries
):
    client.force_login(people.member)
    add("One", owner=people.member)
    add("Idea", status="parked")
    with django_assert_max_num_queries(50) as few:
        assert client.get(path).status_code == 200
    for n in range(2):
        add(f"Active {n}", owner=MembershipFactory(team=people.team).user)
    for n in range(12):
        item = add(f"Parked {n}", status="parked", owner=MembershipFactory(team=people.team).user)
        services.focus_item_edit(item=item, actor=people.lead, why="w", fields={"why"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(path).status_code == 200


def test_wall_says_what_the_teams_time_is_for(lead_client, people):
    """The wall's maker-time line, in the team's zone (Europe/Paris), on a frozen clock."""
    from datetime import datetime
    from unittest import mock
    from zoneinfo import ZoneInfo

    from schedule.services import meeting_create

    wednesday_11 = datetime(2026, 12, 2, 11, 0, tzinfo=ZoneInfo("Europe/Paris"))
    with mock.patch("django.utils.timezone.now", return_value=wednesday_11):
        body = lead_client.get("/t/ml/wall/content/", **HX).content.decode()
        assert "Maker time until 12:00" in body
        meeting_create(
            team=people.team,
            organizer=people.lead,
            title="Design review",
            start=wednesday_11.replace(hour=11, minute=30),
            end=wednesday_11.replace(hour=12),
            attendees=["lead", "member"],
            override_maker_time=True,
        )
        body = lead_client.get("/t/ml/wall/content/", **HX).content.decode()
        assert "Maker time until 11:30" in body
    with mock.patch("django.utils.timezone.now", return_value=wednesday_11.replace(minute=40)):
        body = lead_client.get("/t/ml/wall/content/", **HX).content.decode()
        assert "In a meeting until 12:00: Design review" in body
