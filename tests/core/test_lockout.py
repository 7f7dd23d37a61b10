"""Login lockout (django-axes): failed sign-ins are limited per username and per address, the
login page says what happened and when to try again, and the lock lifts after the cool-down
or with `manage.py axes_reset`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from core.throttling import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOME = "1.2.3.4"


def sign_in(client: Client, username: str, password: str, address: str = HOME, **extra):  # type: ignore[no-untyped-def]
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response["Location"] == "/"


@contextmanager
def later(minutes: int) -> Iterator[None]:
    """Time travel for axes' clock (when an attempt happens, and the cool-down's start)."""
    moment = timezone.now() + timedelta(minutes=minutes)
    with (
        mock.patch("axes.handlers.proxy.now", return_value=moment),
        mock.patch("axes.attempts.now", return_value=moment),
    ):
        yield


def test_a_hundred_wrong_passwords_then_the_right_one_is_refused(client: Client):
    UserFactory(username="ada")
    answers = [sign_in(client, "ada", f"guess-{n}").status_code for n in range(100)]
    # Four times the form again ("enter a correct username and password"); the fifth failure
    # locks, and from then on every answer is the lockout page.
    assert answers[:4] == [200] * 4
    assert set(answers[4:]) == {429}
    locked = sign_in(client, "ada", "pw")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Too many failed sign-ins" in text and "Try again after" in text
    assert "in 15 minutes" in text and 'role="alert"' in text
    assert 'value="ada"' in text  # the username stays typed
    assert int(locked["Retry-After"]) == 15 * 60
    assert not client.get("/me/").wsgi_request.user.is_authenticated


def test_the_lock_lifts_after_the_cool_down(client: Client):
    UserFactory(username="ada")
    for n in range(5):
        sign_in(client, "ada", f"guess-{n}")
    assert sign_in(client, "ada", "pw").status_code == 429
    with later(minutes=14):
        assert sign_in(client, "ada", "pw").status_code == 429
    # That refused attempt started the cool-down again: 15 minutes from it.
    with later(minutes=14 + 16):
        assert signed_in(sign_in(client, "ada", "pw"))


@override_settings(AXES_COOLOFF_TIME=timedelta(minutes=2), AXES_FAILURE_LIMIT=3)
def test_limit_and_cool_down_are_settings(client: Client):
    UserFactory(username="ada")
    for n in range(3):
        sign_in(client, "ada", f"guess-{n}")
    locked = sign_in(client, "ada", "pw")
    assert locked.status_code == 429 and "in 2 minutes" in locked.content.decode()
    with later(minutes=3):
        assert signed_in(sign_in(client, "ada", "pw"))


def test_an_address_and_an_account_are_limited_separately(client: Client):
    UserFactory(username="ada")
    UserFactory(username="bob")
    UserFactory(username="cy")
    for n in range(5):
        sign_in(client, "ada", f"guess-{n}", address=HOME)
    # Another account from the same address: the address is locked.
    assert sign_in(client, "bob", "pw", address=HOME).status_code == 429
    # The guessed account from another address: the account is locked.
    assert sign_in(client, "ada", "pw", address="5.6.7.8").status_code == 429
    # Anyone else from anywhere else signs in.
    assert signed_in(sign_in(Client(), "cy", "pw", address="5.6.7.8"))


def test_failures_below_the_limit_are_forgotten_after_a_good_sign_in(client: Client):
    UserFactory(username="ada")
    for _round in range(3):
        for n in range(4):
            assert sign_in(client, "ada", f"guess-{n}").status_code == 200
        assert signed_in(sign_in(client, "ada", "pw"))
        client.logout()


def test_axes_reset_lifts_every_lock(client: Client):
    UserFactory(username="ada")
    for n in range(5):
        sign_in(client, "ada", f"guess-{n}")
    assert sign_in(client, "ada", "pw").status_code == 429
    call_command("axes_reset", verbosity=0)
    assert signed_in(sign_in(client, "ada", "pw"))


def test_the_admin_login_is_guarded_too(client: Client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for n in range(5):
        client.post(
            "/admin/login/", {"username": "root", "password": f"g{n}"}, REMOTE_ADDR="9.9.9.9"
        )
    refused = client.post(
        "/admin/login/", {"username": "root", "password": "pw"}, REMOTE_ADDR="9.9.9.9"
    )
    assert refused.status_code == 429
    assert not client.get("/me/").wsgi_request.user.is_authenticated


def test_the_client_address_ignores_forwarded_for_unless_proxies_are_trusted(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 7.7.7.7")
    assert client_ip(request) == "10.0.0.1"
    with override_settings(FOCUSBOARD_TRUSTED_PROXIES=1):
        # One proxy: the address it appended, not what the client wrote before it.
        assert client_ip(request) == "7.7.7.7"
    with override_settings(FOCUSBOARD_TRUSTED_PROXIES=2):
        assert client_ip(request) == "6.6.6.6"
    with override_settings(FOCUSBOARD_TRUSTED_PROXIES=1):
        assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


@override_settings(FOCUSBOARD_TRUSTED_PROXIES=1)
def test_behind_a_proxy_each_client_is_limited_by_its_own_address(client: Client):
    UserFactory(username="ada")
    UserFactory(username="bob")
    for n in range(5):
        sign_in(client, "ada", f"g{n}", address="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    # Same proxy, another client: not locked by the first one's failures.
    other = sign_in(Client(), "bob", "pw", address="10.0.0.1", HTTP_X_FORWARDED_FOR="7.7.7.7")
    assert signed_in(other)
