"""Password reset by email, through the site's own pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_person_resets_a_forgotten_password_by_email(client):
    UserFactory(username="ada", email="ada@example.com")
    assert "Forgot your password?" in client.get("/accounts/login/").content.decode()
    sent = client.post("/accounts/password/reset/", {"email": "ada@example.com"}, follow=True)
    assert "Check your email" in sent.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.com"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a new long staple", "new_password2": "a new long staple"},
        follow=True,
    )
    assert "Your password is changed" in done.content.decode()
    assert client.login(username="ada", password="a new long staple")
    # The link works once.
    client.logout()
    again = client.get(link.group(1), follow=True)
    assert "This link no longer works" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post(
        "/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True
    )
    assert "Check your email" in response.content.decode() and mail.outbox == []
