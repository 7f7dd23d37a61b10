"""Tripwire notifications, run as background tasks after the ingest has committed: a slow or
broken mail server or webhook never fails (nor, in production, slows) the pipeline's post."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task, task_backends

from teams.models import Membership, Role

from . import notify
from .models import AlertSettings, AlertSubscription, Tripwire

logger = logging.getLogger(__name__)

WEBHOOK_ATTEMPTS = 3
WEBHOOK_RETRY_AFTER = timedelta(minutes=2)


def recipients(team_id: int) -> list[str]:
    """The team's leads, and the members and viewers who asked for tripwire emails."""
    in_team = Membership.objects.filter(team_id=team_id)
    leads = in_team.filter(role=Role.LEAD).values_list("user_id", flat=True)
    followers = AlertSubscription.objects.filter(
        team_id=team_id, user_id__in=in_team.values("user_id")
    ).values_list("user_id", flat=True)
    ids = set(leads) | set(followers)
    users = get_user_model().objects.filter(pk__in=ids).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


@task()
def send_alarm_email(tripwire_id: int, subject: str, text: str) -> int:
    tripwire = Tripwire.objects.filter(pk=tripwire_id).first()
    if tripwire is None:
        return 0
    to = recipients(tripwire.team_id)
    if not to:
        return 0
    try:
        return send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    except Exception:  # any mail-server failure: logged, never raised into a request
        logger.exception("Tripwire email for %s failed", tripwire_id)
        return 0


@task()
def post_alarm_webhook(team_id: int, text: str, attempt: int = 1) -> bool:
    url = (
        AlertSettings.objects.filter(team_id=team_id).values_list("webhook_url", flat=True).first()
    )
    if not url:
        return False
    try:
        notify.post_webhook(url, {"text": text})
        return True
    except notify.WebhookError as exc:
        logger.warning("Tripwire webhook of team %s, attempt %s: %s", team_id, attempt, exc)
    if attempt >= WEBHOOK_ATTEMPTS:
        return False
    if task_backends["default"].supports_defer:
        post_alarm_webhook.using(run_after=timezone.now() + attempt * WEBHOOK_RETRY_AFTER).enqueue(
            team_id, text, attempt + 1
        )
    else:
        # A backend that runs tasks at once (development, tests) retries at once.
        post_alarm_webhook.enqueue(team_id, text, attempt + 1)
    return False
