"""Undo of finish and drop, outcome notes, the Done list, bring back, day N across stretches,
and a refused add that keeps what was typed: services, pages (htmx and plain) and the API."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.rules import RuleCode, RuleViolation
from focusboard import selectors, services
from focusboard.models import OUTCOME_MAX_LENGTH, FocusEvent, FocusItem, FocusStatus
from teams.models import display_name

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
URL = "/api/v1/teams/ml/focus-items/"
TOO_LONG = "x" * (OUTCOME_MAX_LENGTH + 1)


def fresh(item: FocusItem) -> FocusItem:
    return FocusItem.objects.get(pk=item.pk)


# --- Services ------------------------------------------------------------------------------


def test_undo_a_finish_puts_an_active_item_back_on_the_board(people, add):
    item = add("Leakage")
    services.focus_item_finish(item=item, actor=people.lead, outcome="Shared user ids")
    item = services.focus_item_undo(item=item, actor=people.member)
    assert item.status == FocusStatus.ACTIVE and item.slot is not None
    assert item.closed_at is None and item.outcome == ""
    kinds = list(FocusEvent.objects.filter(item=item).values_list("kind", flat=True))
    assert kinds == ["added", "finished", "undone"]
    undone = FocusEvent.objects.get(item=item, kind="undone")
    assert undone.detail["undid_kind"] == "finished" and undone.actor == people.member
    # The finish and its note stay in the log: append-only.
    assert FocusEvent.objects.get(item=item, kind="finished").detail["outcome"] == "Shared user ids"


def test_undo_a_drop_of_a_parked_item_parks_it_again(people, add):
    item = add("Idea", status=FocusStatus.PARKED)
    services.focus_item_drop(item=item, actor=people.lead)
    assert services.focus_item_undo(item=item, actor=people.lead).status == FocusStatus.PARKED


def test_undo_is_refused_when_the_board_filled_up_meanwhile(people, add):
    item = add("Leakage")
    services.focus_item_drop(item=item, actor=people.lead)
    for n in range(3):
        add(f"Other {n}")
    with pytest.raises(RuleViolation) as refused:
        services.focus_item_undo(item=item, actor=people.lead)
    assert refused.value.code == RuleCode.FOCUS_CAP_REACHED
    assert "“Leakage” cannot go back on the board: The board is full" in refused.value.message
    assert fresh(item).status == FocusStatus.DROPPED


def test_undo_is_refused_when_the_item_moved_on(people, add):
    item = add("Leakage")
    services.focus_item_drop(item=item, actor=people.lead)
    drop = FocusEvent.objects.get(item=item, kind="dropped")
    services.focus_item_bring_back(item=item, actor=people.member)
    with pytest.raises(RuleViolation) as refused:
        services.focus_item_undo(item=item, actor=people.lead, event=drop)
    assert refused.value.code == RuleCode.UNDO_OUTDATED
    assert "nothing to undo" in refused.value.message
    # Dropped again: the old drop's undo names an event that is no longer the latest.
    services.focus_item_drop(item=item, actor=people.member)
    with pytest.raises(RuleViolation) as refused:
        services.focus_item_undo(item=item, actor=people.lead, event=drop)
    assert refused.value.code == RuleCode.UNDO_OUTDATED
    assert "changed after that (it is dropped now)" in refused.value.message
    assert fresh(item).status == FocusStatus.DROPPED


def test_an_outcome_note_does_not_block_the_undo(people, add):
    item = add("Leakage")
    services.focus_item_finish(item=item, actor=people.lead)
    finish = FocusEvent.objects.get(item=item, kind="finished")
    services.focus_item_note_outcome(item=item, actor=people.lead, outcome="Learned")
    assert services.focus_item_undo(item=item, actor=people.lead, event=finish).is_active


def test_outcome_notes_only_on_closed_items_and_within_length(people, add):
    item = add("Leakage")
    with pytest.raises(RuleViolation):
        services.focus_item_note_outcome(item=item, actor=people.lead, outcome="x")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.focus_item_finish(item=item, actor=people.lead, outcome=TOO_LONG)
    assert fresh(item).is_active


def test_bring_back_only_dropped_items(people, add):
    item = add("Leakage")
    with pytest.raises(RuleViolation) as refused:
        services.focus_item_bring_back(item=item, actor=people.lead)
    assert "only dropped topics" in refused.value.message
    services.focus_item_drop(item=item, actor=people.lead, outcome="Not now")
    item = services.focus_item_bring_back(item=item, actor=people.lead)
    assert item.status == FocusStatus.PARKED and item.outcome == "Not now"
    assert FocusEvent.objects.filter(item=item, kind="brought_back").count() == 1


def test_day_n_counts_the_stretch_and_the_total_survives_park_and_resume(people, add):
    paris = ZoneInfo("Europe/Paris")
    people.team.timezone = "Europe/Paris"
    people.team.save()
    start = datetime(2026, 11, 2, 10, 0, tzinfo=paris)

    def at(day: int):
        return mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=day))

    with at(0):
        item = add("Leakage")
    with at(4):  # on the board days 1-5
        services.focus_item_park(item=item, actor=people.lead)
    with at(9):
        services.focus_item_activate(item=item, actor=people.lead)
    with at(11):  # second stretch: day 3
        board = selectors.board(people.team)
        [(_card, day, total)] = board.cards_with_totals
        assert (day, total) == (3, 8)
    with at(11):  # park and resume the same day: the day counts once, day N starts again
        services.focus_item_park(item=item, actor=people.lead)
        services.focus_item_activate(item=item, actor=people.lead)
        [(_card, day, total)] = selectors.board(people.team).cards_with_totals
        assert (day, total) == (1, 8)


def test_undoing_a_finish_is_not_a_focus_switch(people, add):
    item = add("Leakage")
    services.focus_item_finish(item=item, actor=people.lead)
    services.focus_item_undo(item=item, actor=people.lead)
    history = selectors.focus_history(people.team)
    assert history.switches_per_month[-1][1] == 1
    assert len(history.items[0].intervals) == 2


# --- Pages ---------------------------------------------------------------------------------


@pytest.fixture
def lead_client(client, people):
    client.force_login(people.lead)
    return client


def test_drop_with_htmx_answers_a_toast_with_undo_and_an_outcome_field(lead_client, add):
    item = add("Leakage")
    body = lead_client.post(f"/t/ml/items/{item.pk}/drop/", **HX).content.decode()
    assert 'role="status"' in body and "Dropped “Leakage”." in body
    event = FocusEvent.objects.get(item=item, kind="dropped")
    assert f'action="/t/ml/items/{item.pk}/undo/"' in body
    assert f'name="event" value="{event.pk}"' in body
    assert 'aria-label="Undo: dropped “Leakage”"' in body
    assert "What did we learn?" in body and f'action="/t/ml/items/{item.pk}/outcome/"' in body
    # Undo through the toast's form.
    response = lead_client.post(f"/t/ml/items/{item.pk}/undo/", {"event": event.pk}, **HX)
    assert response.status_code == 200
    assert "Undone: “Leakage” is back on the board." in response.content.decode()
    assert fresh(item).is_active


def test_finish_without_js_shows_the_toast_once_on_the_board(lead_client, add):
    item = add("Leakage")
    response = lead_client.post(f"/t/ml/items/{item.pk}/finish/", {"outcome": ""})
    assert response.status_code == 302 and response["Location"] == "/t/ml/"
    body = lead_client.get("/t/ml/").content.decode()
    assert "Finished “Leakage”." in body and f"/t/ml/items/{item.pk}/undo/" in body
    assert "Finished “Leakage”." not in lead_client.get("/t/ml/").content.decode()
    event = FocusEvent.objects.get(item=item, kind="finished")
    response = lead_client.post(f"/t/ml/items/{item.pk}/undo/", {"event": event.pk}, follow=True)
    assert "Undone: “Leakage” is back on the board." in response.content.decode()


def test_finish_with_an_outcome_from_the_page(lead_client, add):
    item = add("Leakage")
    lead_client.post(f"/t/ml/items/{item.pk}/finish/", {"outcome": "  Shared ids  "}, **HX)
    assert fresh(item).outcome == "Shared ids"


def test_outcome_after_the_fact_from_the_toast(lead_client, add):
    item = add("Leakage")
    lead_client.post(f"/t/ml/items/{item.pk}/finish/", **HX)
    response = lead_client.post(f"/t/ml/items/{item.pk}/outcome/", {"outcome": "Ids leak"}, **HX)
    body = response.content.decode()
    assert response.status_code == 200 and "Outcome of “Leakage” saved." in body
    assert "Ids leak" in body  # in the Done list, opened
    assert re.search(r'<details class="done-section" id="done" open>', body)
    assert fresh(item).outcome == "Ids leak"
    too_long = lead_client.post(f"/t/ml/items/{item.pk}/outcome/", {"outcome": TOO_LONG}, **HX)
    assert too_long.status_code == 400
    assert f"{OUTCOME_MAX_LENGTH} characters" in too_long.content.decode()


def test_undo_refused_when_the_board_is_full_again_says_so(lead_client, people, add):
    item = add("Leakage")
    lead_client.post(f"/t/ml/items/{item.pk}/drop/", **HX)
    event = FocusEvent.objects.get(item=item, kind="dropped")
    for n in range(3):
        add(f"Other {n}")
    response = lead_client.post(f"/t/ml/items/{item.pk}/undo/", {"event": event.pk}, **HX)
    assert response.status_code == 409
    assert "“Leakage” cannot go back on the board" in response.content.decode()
    response = lead_client.post(f"/t/ml/items/{item.pk}/undo/", {"event": event.pk}, follow=True)
    assert "“Leakage” cannot go back on the board" in response.content.decode()


def test_undo_of_an_unknown_event_is_400(lead_client, add, people):
    item = add("Leakage")
    other = add("Other")
    services.focus_item_drop(item=item, actor=people.lead)
    other_event = FocusEvent.objects.filter(item=other).first()
    response = lead_client.post(f"/t/ml/items/{item.pk}/undo/", {"event": other_event.pk}, **HX)
    assert response.status_code == 400
    assert "not in this topic&#x27;s history" in response.content.decode()


@pytest.mark.parametrize("event", ["²", "abc", "-1", "0", "1.5", "9" * 25])
def test_undo_of_a_malformed_event_is_400_and_changes_nothing(lead_client, add, people, event):
    item = add("Leakage")
    services.focus_item_drop(item=item, actor=people.lead)
    response = lead_client.post(f"/t/ml/items/{item.pk}/undo/", {"event": event}, **HX)
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.status == "dropped"


def test_done_list_on_the_board_and_in_history_newest_first(lead_client, people, add):
    first = add("First", owner=people.member)
    second = add("Second")
    services.focus_item_finish(item=first, actor=people.lead, outcome="It worked")
    services.focus_item_drop(item=second, actor=people.lead)
    for path in ("/t/ml/", "/t/ml/history/"):
        body = lead_client.get(path).content.decode()
        assert body.index("done-" + str(second.pk)) < body.index("done-" + str(first.pk))
        assert "It worked" in body and display_name(people.member) in body
        assert f"/t/ml/items/{second.pk}/bring-back/" in body  # dropped: can come back
        assert f"/t/ml/items/{first.pk}/bring-back/" not in body  # finished: cannot
    body = lead_client.get("/t/ml/").content.decode()
    assert 'Done <span class="muted">(2)' in body


def test_the_history_page_shows_the_done_list_once_and_not_in_its_title(lead_client, add, people):
    services.focus_item_drop(item=add("Leakage"), actor=people.lead)
    body = lead_client.get("/t/ml/history/").content.decode()
    title = body.split("<title>")[1].split("</title>")[0]
    assert "Focus history" in title and "<" not in title and "Leakage" not in title
    assert body.count('id="done"') == 1 and body.count('id="done-heading"') == 1


def test_outcome_inputs_accept_what_the_field_accepts(lead_client, add, people):
    item = add("Leakage")
    dropped = lead_client.post(f"/t/ml/items/{item.pk}/drop/", **HX).content.decode()
    assert f'id="toast-outcome" maxlength="{OUTCOME_MAX_LENGTH}"' in dropped
    board = lead_client.get("/t/ml/").content.decode()
    assert f'id="outcome-{item.pk}" maxlength="{OUTCOME_MAX_LENGTH}"' in board


def test_bring_back_from_the_board_and_history_page(lead_client, people, add):
    item = add("Leakage")
    services.focus_item_drop(item=item, actor=people.lead)
    response = lead_client.post(f"/t/ml/items/{item.pk}/bring-back/", **HX)
    assert "“Leakage” is back, in parked." in response.content.decode()
    assert fresh(item).status == FocusStatus.PARKED
    again = lead_client.post(f"/t/ml/items/{item.pk}/bring-back/", **HX)
    assert again.status_code == 409 and "only dropped topics" in again.content.decode()


def test_card_shows_day_n_and_days_in_all(lead_client, people, add):
    start = timezone.now() - timedelta(days=6)
    with mock.patch("django.utils.timezone.now", return_value=start):
        item = add("Leakage")
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=3)):
        services.focus_item_park(item=item, actor=people.lead)
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=5)):
        services.focus_item_activate(item=item, actor=people.lead)
    body = lead_client.get("/t/ml/").content.decode()
    assert "day 2 · 6 days in all" in body


@pytest.mark.parametrize("htmx", [True, False])
def test_refused_add_keeps_what_was_typed(lead_client, people, full_board, htmx):
    """A stale tab adds past the cap: 409, the sentence, and the form still holds the input."""
    extra = HX if htmx else {}
    response = lead_client.post(
        "/t/ml/items/",
        {"title": "Calibrate <per> country", "why": "EU launch", "owner": people.member.pk},
        **extra,
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "at most 3 topics" in body
    assert 'value="Calibrate &lt;per&gt; country"' in body
    assert 'value="EU launch"' in body
    assert f'<option value="{people.member.pk}" selected>' in body
    if not htmx:
        assert "<html" in body  # the whole page, not a redirect that forgets the input


def test_a_fresh_add_form_is_empty(lead_client, people):
    body = lead_client.get("/t/ml/").content.decode()
    assert 'id="add-title" maxlength="80" required value=""' in body
    assert " selected>" not in body.split('class="add-form"')[1].split("</form>")[0]


# Role matrix for the new page endpoints: (path, item it acts on)
NEW_WRITES = ["undo", "bring-back", "outcome", "finish", "drop"]
WHO = ["anonymous", "outsider", "viewer", "member", "lead"]


@pytest.mark.parametrize("action", NEW_WRITES)
@pytest.mark.parametrize("who", WHO)
def test_new_page_actions_role_matrix(client, people, add, who, action):
    item = add("Topic")
    if action in ("undo", "bring-back", "outcome"):
        services.focus_item_drop(item=item, actor=people.lead)
    before = (fresh(item).status, fresh(item).outcome)
    user = people.user(who)
    if user:
        client.force_login(user)
    response = client.post(f"/t/ml/items/{item.pk}/{action}/", {"outcome": "x"})
    expected = {"anonymous": 302, "outsider": 404, "viewer": 403, "member": 302, "lead": 302}
    assert response.status_code == expected[who]
    after = {
        "finish": ("done", "x"),
        "drop": ("dropped", "x"),
        "undo": ("active", ""),
        "bring-back": ("parked", ""),
        "outcome": ("dropped", "x"),
    }
    now = (fresh(item).status, fresh(item).outcome)
    assert now == (after[action] if who in ("member", "lead") else before)


def test_board_query_count_is_flat_with_done_items(
    client, people, add, django_assert_max_num_queries
):
    client.force_login(people.member)
    add("One")
    services.focus_item_drop(item=add("Gone"), actor=people.lead)
    with django_assert_max_num_queries(50) as few:
        assert client.get("/t/ml/").status_code == 200
    for n in range(15):
        item = add(f"Done {n}", owner=people.member)
        services.focus_item_park(item=item, actor=people.lead)
        services.focus_item_activate(item=item, actor=people.lead)
        services.focus_item_finish(item=item, actor=people.lead, outcome=f"Learned {n}")
    add("Two")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/t/ml/").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/t/ml/history/").status_code == 200


# --- API -----------------------------------------------------------------------------------


def test_api_finish_and_drop_take_an_outcome(people, as_user, add):
    client = as_user(people.member)
    item, other = add("Leakage"), add("Other")
    body = client.post(f"{URL}{item.pk}/finish/", {"outcome": "Ids leak"}, format="json").json()
    assert body["status"] == "done" and body["outcome"] == "Ids leak" and body["closed_at"]
    body = client.post(f"{URL}{other.pk}/drop/", {}, format="json").json()
    assert body["status"] == "dropped" and body["outcome"] == ""
    too_long = client.post(f"{URL}{add('Third').pk}/drop/", {"outcome": TOO_LONG}, format="json")
    assert too_long.status_code == 400 and "outcome" in too_long.json()
    body = client.post(f"{URL}{other.pk}/outcome/", {"outcome": "Later"}, format="json").json()
    assert body["outcome"] == "Later"


def test_api_undo_bring_back_and_refusals(people, as_user, add):
    client = as_user(people.member)
    item = add("Leakage")
    client.post(f"{URL}{item.pk}/drop/", format="json")
    drop = FocusEvent.objects.get(item=item, kind="dropped")
    body = client.post(f"{URL}{item.pk}/undo/", {"event": drop.pk}, format="json").json()
    assert body["status"] == "active"
    again = client.post(f"{URL}{item.pk}/undo/", {"event": drop.pk}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "undo_outdated"
    client.post(f"{URL}{item.pk}/drop/", format="json")
    for n in range(3):
        add(f"Other {n}")
    full = client.post(f"{URL}{item.pk}/undo/", format="json")
    assert full.status_code == 409 and full.json()["code"] == "focus_cap_reached"
    body = client.post(f"{URL}{item.pk}/bring-back/", format="json").json()
    assert body["status"] == "parked"
    assert client.post(f"{URL}{item.pk}/bring-back/").json()["code"] == "invalid_transition"
    assert client.post(f"{URL}{item.pk}/undo/", {"event": 10**6}, format="json").status_code == 404


def test_api_days_on_board_total_in_list_and_detail(
    people, as_user, add, django_assert_max_num_queries
):
    start = timezone.now() - timedelta(days=6)
    with mock.patch("django.utils.timezone.now", return_value=start):
        item = add("Leakage")
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=2)):
        services.focus_item_park(item=item, actor=people.lead)
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=4)):
        services.focus_item_activate(item=item, actor=people.lead)
    client = as_user(people.viewer)
    body = client.get(f"{URL}{item.pk}/").json()
    assert (body["days_on_board"], body["days_on_board_total"]) == (3, 6)
    listed = client.get(URL).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows[0]["days_on_board_total"] == 6
    parked = add("Idea", status="parked")
    assert client.get(f"{URL}{parked.pk}/").json()["days_on_board_total"] == 0


def test_api_schema_documents_outcome_and_undo(people, as_user):
    schema = as_user(people.member).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    finish = paths["/api/v1/teams/{team_slug}/focus-items/{id}/finish/"]["post"]
    ref = finish["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/OutcomeRequest")
    assert "/api/v1/teams/{team_slug}/focus-items/{id}/undo/" in paths
    assert "/api/v1/teams/{team_slug}/focus-items/{id}/bring-back/" in paths
    assert "days_on_board_total" in schema["components"]["schemas"]["FocusItem"]["properties"]


API_WHO = ["anonymous", "outsider", "viewer", "member", "lead"]


@pytest.mark.parametrize("action", ["undo", "bring-back", "outcome"])
@pytest.mark.parametrize("who", API_WHO)
def test_api_new_endpoints_role_matrix(people, as_user, add, who, action):
    item = add("Topic")
    services.focus_item_drop(item=item, actor=people.lead)
    response = as_user(people.user(who)).post(
        f"{URL}{item.pk}/{action}/", {"outcome": "x"}, format="json"
    )
    expected = {"anonymous": 401, "outsider": 404, "viewer": 403, "member": 200, "lead": 200}
    assert response.status_code == expected[who], response.content
