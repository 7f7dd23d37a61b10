"""`/feeds/<token>.ics`: a thin feed class over the pure writer (schedule/ical/write.py), the way
django.contrib.syndication's Feed sits over django.utils.feedgenerator.

The events come from the sources apps register in core.feeds (this app's meetings and maker
time; milestones and review dates from the milestones app), so this module imports no sibling
app. A conditional request is answered from the sources' cheap fingerprints, without building
a single event: polling clients cost a few small queries.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_http_methods

from core.feeds import FeedEvent, FeedQuery, FeedScope, feed_events, feed_version
from teams.models import Membership

from .feed_sources import MAKER_BLOCKS_OPTION
from .ical.write import FeedInfo, feed_bytes
from .models import FeedToken

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Part of every ETag: a change to how feeds are written must not answer 304 with old bytes.
FORMAT_VERSION = "1"
MAX_USER_AGENT = 200


def feed_urls(request: HttpRequest, secret: str) -> tuple[str, str]:
    """The https:// address of a feed and its webcal:// twin (what calendar apps open)."""
    url = request.build_absolute_uri(reverse("schedule:feed", args=[secret]))
    return url, "webcal://" + url.split("://", 1)[1]


class CalendarFeed:
    """One calendar feed. Override the hooks to make another kind; `__call__` is the view."""

    def get_object(self, request: HttpRequest, secret: str) -> FeedToken:
        """The live token; unknown, revoked and rotated-away secrets are all a plain 404, and
        so is a team feed whose owner has left the team."""
        token = FeedToken.objects.select_related("user", "team").for_secret(secret)
        if token is None or not token.user.is_active:
            raise Http404("No such calendar.")
        if (
            token.scope == FeedScope.TEAM
            and not Membership.objects.filter(
                Q(team_id=token.team_id) & Q(user_id=token.user_id)
            ).exists()
        ):
            raise Http404("No such calendar.")
        return token

    def query(self, token: FeedToken, request: HttpRequest, now: datetime) -> FeedQuery:
        options = frozenset({MAKER_BLOCKS_OPTION}) if token.include_maker_blocks else frozenset()
        return FeedQuery(
            scope=FeedScope(token.scope),
            user=token.user,
            team=token.team,
            options=options,
            now=now,
            base_url=f"{request.scheme}://{request.get_host()}",
        )

    def info(self, token: FeedToken) -> FeedInfo:
        if token.team is not None:
            return FeedInfo(
                name=f"{token.team.name} (Focusboard)",
                description=f"{token.team.name}'s meetings, milestones and review dates.",
            )
        return FeedInfo(
            name=f"{token.user.username}'s meetings (Focusboard)",
            description=(
                f"{token.user.username}'s meetings and their teams' milestones and review dates."
            ),
        )

    def items(self, query: FeedQuery) -> list[FeedEvent]:
        return feed_events(query)

    def etag(self, token: FeedToken, info: FeedInfo, fingerprint: str) -> str:
        key = "|".join(
            (
                FORMAT_VERSION,
                str(token.pk),
                token.scope,
                str(token.team_id),
                info.name,
                info.description,
                fingerprint,
            )
        )
        return quote_etag(hashlib.sha256(key.encode()).hexdigest())

    def note_fetch(self, token: FeedToken, request: HttpRequest, now: datetime) -> None:
        """When and by what the feed was last fetched (shown on /me/feeds/)."""
        agent = request.headers.get("User-Agent", "")[:MAX_USER_AGENT]
        token.mark_used(now=now)
        if agent != token.last_user_agent:
            FeedToken.objects.filter(pk=token.pk).update(last_user_agent=agent)

    def __call__(self, request: HttpRequest, secret: str) -> HttpResponse:
        token = self.get_object(request, secret)
        now = timezone.now()
        query = self.query(token, request, now)
        info = self.info(token)
        body: bytes | None = None
        stamp = feed_version(query)
        if stamp is not None:
            etag = self.etag(token, info, stamp.fingerprint)
            changed = stamp.changed_at or token.created_at
        else:  # a source cannot tell cheaply: render, and let the bytes say
            events = self.items(query)
            body = feed_bytes(info, events)
            etag = quote_etag(hashlib.sha256(body).hexdigest())
            changed = max((e.changed_at for e in events), default=token.created_at)
        self.note_fetch(token, request, now)
        last_modified = int(changed.timestamp())
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            if body is None:
                body = feed_bytes(info, self.items(query))
            if request.method == "HEAD":
                response = HttpResponse(b"", content_type=CONTENT_TYPE)
                response["Content-Length"] = str(len(body))
            else:
                response = HttpResponse(body, content_type=CONTENT_TYPE)
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        # Personal data behind a secret address: no shared cache keeps it, no index lists it.
        response["Cache-Control"] = "private, max-age=0, must-revalidate"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


feed = require_http_methods(["GET", "HEAD"])(CalendarFeed())
