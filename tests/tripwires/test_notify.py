"""The webhook POST goes through core.fetch's safe client and says why it failed."""

from __future__ import annotations

import pytest

from core import fetch
from tripwires import notify


def test_a_private_address_is_refused_by_the_safe_client():
    with pytest.raises(notify.WebhookError) as refused:
        notify.post_webhook("http://127.0.0.1:9/hook", {"text": "Tripwire CTR tripped"})
    assert str(refused.value)  # a sentence, from core.fetch


def test_statuses_and_errors(monkeypatch):
    sent = []

    def answer(status):
        def post_json(url, payload, *, deadline_seconds=10.0):
            sent.append((url, dict(payload), deadline_seconds))
            return status

        return post_json

    monkeypatch.setattr(fetch, "post_json", answer(200))
    assert notify.post_webhook("https://hooks.example.com/t", {"text": "hi"}) == 200
    assert sent == [("https://hooks.example.com/t", {"text": "hi"}, 10.0)]
    monkeypatch.setattr(fetch, "post_json", answer(500))
    with pytest.raises(notify.WebhookError, match="answered HTTP 500"):
        notify.post_webhook("https://hooks.example.com/t", {"text": "hi"})

    def timeout(url, payload, *, deadline_seconds=10.0):
        raise fetch.FetchError("hooks.example.com did not answer within 10 seconds.")

    monkeypatch.setattr(fetch, "post_json", timeout)
    with pytest.raises(notify.WebhookError, match="did not answer within 10 seconds"):
        notify.post_webhook("https://hooks.example.com/t", {"text": "hi"})
