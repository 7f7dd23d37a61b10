"""The one outgoing HTTP client: which addresses it refuses, and that no server, however slow
or hostile, holds it past its deadline. The local servers run on 127.0.0.1, which the client
refuses by default; tests that need them allow 127.0.0.0/8 through the setting, and the tests
of the default refuse that same server."""

from __future__ import annotations

import ipaddress
import socket
import time

import pytest

from core import fetch as fetch_module
from core.fetch import (
    FetchError,
    FetchRefused,
    FetchTooLarge,
    fetch,
    is_public_address,
    post_json,
)
from tests.schedule.support import Drip, Redirect, calendar_server

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]
PUBLIC_UNROUTABLE = "2606:4700:4700::1111"  # global, but this test's port is closed there


@pytest.fixture
def local_allowed(settings):  # type: ignore[no-untyped-def]
    settings.FOCUSBOARD_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104  (an address to refuse, not to bind)
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "::10.0.0.1",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::1",  # local-use NAT64
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    ],
)
def test_private_and_local_addresses_are_not_public(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses_are_public(address):
    assert is_public_address(ipaddress.ip_address(address))


def test_loopback_is_refused_by_default_and_never_reached():
    with calendar_server() as server:
        server.routes["/c.ics"] = (200, b"BEGIN:VCALENDAR")
        for url in (server.url("/c.ics"), server.url("/c.ics").replace("127.0.0.1", "localhost")):
            with pytest.raises(FetchRefused, match="private or local addresses"):
                fetch(url, max_bytes=1000, deadline_seconds=2)
        assert server.hits == []


def resolver(*answers: list[str]):  # type: ignore[no-untyped-def]
    """A fake DNS: each call answers the next list of addresses (the last one repeats)."""
    calls: list[str] = []

    def getaddrinfo(host, port, family=0, kind=0, *args):  # type: ignore[no-untyped-def]
        addresses = answers[min(len(calls), len(answers) - 1)]
        calls.append(host)
        infos = []
        for address in addresses:
            ip = ipaddress.ip_address(address)
            family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            sockaddr = (address, port, 0, 0) if ip.version == 6 else (address, port)
            infos.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return infos

    getaddrinfo.calls = calls  # type: ignore[attr-defined]
    return getaddrinfo


def test_dns_rebinding_never_reaches_the_private_address(monkeypatch):
    """A name that answers a public address first and 127.0.0.1 second: a guard that resolves
    to check and resolves again to connect would reach 127.0.0.1. This client connects to
    the address it checked, so the first fetch goes to the public address (and fails there),
    and the second is refused outright."""
    with calendar_server() as server:
        server.routes["/c.ics"] = (200, b"BEGIN:VCALENDAR")
        port = server.server.server_address[1]
        fake = resolver([PUBLIC_UNROUTABLE], ["127.0.0.1"])
        monkeypatch.setattr(socket, "getaddrinfo", fake)
        url = f"http://rebind.example:{port}/c.ics"
        with pytest.raises(FetchError) as first:
            fetch(url, max_bytes=1000, deadline_seconds=2)
        assert not isinstance(first.value, FetchRefused)
        with pytest.raises(FetchRefused, match="private or local addresses"):
            fetch(url, max_bytes=1000, deadline_seconds=2)
        assert fake.calls == ["rebind.example", "rebind.example"]
        assert server.hits == []


def test_an_answer_mixing_public_and_private_addresses_is_refused(monkeypatch):
    with calendar_server() as server:
        port = server.server.server_address[1]
        monkeypatch.setattr(socket, "getaddrinfo", resolver(["93.184.215.14", "127.0.0.1"]))
        with pytest.raises(FetchRefused):
            fetch(f"http://mixed.example:{port}/", max_bytes=1000, deadline_seconds=2)
        assert server.hits == []


@pytest.mark.parametrize(
    "address", ["::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe"]
)
def test_ipv6_wrapped_private_addresses_are_refused(monkeypatch, address):
    monkeypatch.setattr(socket, "getaddrinfo", resolver([address]))
    with pytest.raises(FetchRefused, match="private or local addresses"):
        fetch("http://wrapped.example/", max_bytes=1000, deadline_seconds=2)


def test_redirects_are_checked_like_the_first_address(local_allowed):
    with calendar_server() as server:
        server.routes["/meta"] = Redirect("http://169.254.169.254/latest/meta-data")
        server.routes["/file"] = Redirect("file:///etc/passwd")
        server.routes["/loop"] = Redirect("/loop")
        server.routes["/moved"] = Redirect("/c.ics", status=301)
        server.routes["/c.ics"] = (200, b"BEGIN:VCALENDAR")
        with pytest.raises(FetchRefused, match="private or local"):
            fetch(server.url("/meta"), max_bytes=1000, deadline_seconds=2)
        with pytest.raises(FetchRefused, match="only fetches http"):
            fetch(server.url("/file"), max_bytes=1000, deadline_seconds=2)
        with pytest.raises(FetchError, match="redirected more than 5 times"):
            fetch(server.url("/loop"), max_bytes=1000, deadline_seconds=2)
        assert fetch(server.url("/moved"), max_bytes=1000, deadline_seconds=2) == (
            b"BEGIN:VCALENDAR"
        )


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a", "gopher://x/"])
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchRefused, match="only fetches http"):
        fetch(url, max_bytes=1000, deadline_seconds=2)


def test_an_answer_over_the_size_limit_is_cut_off(local_allowed):
    with calendar_server() as server:
        server.routes["/big"] = (200, b"x" * 5000)
        server.routes["/fits"] = (200, b"x" * 4000)
        with pytest.raises(FetchTooLarge):
            fetch(server.url("/big"), max_bytes=4000, deadline_seconds=2)
        assert len(fetch(server.url("/fits"), max_bytes=4000, deadline_seconds=2)) == 4000


def test_a_slow_drip_body_is_cut_off_by_the_minimum_rate(local_allowed):
    with calendar_server() as server:
        server.routes["/drip"] = Drip(b"BEGIN:VCALENDAR\r\n" * 100, every=0.1)
        began = time.monotonic()
        with pytest.raises(FetchError, match="sends too slowly"):
            fetch(server.url("/drip"), max_bytes=10**6, deadline_seconds=8)
        assert time.monotonic() - began < 2.5


def test_a_slow_drip_of_headers_is_cut_off_at_the_deadline(local_allowed):
    """One byte every half second: never a read timeout, never a complete status line."""
    with calendar_server() as server:
        server.routes["/drip"] = Drip(b"BEGIN:VCALENDAR", every=0.5, headers_too=True)
        began = time.monotonic()
        with pytest.raises(FetchError, match=r"did not answer within 1\.5 seconds"):
            fetch(server.url("/drip"), max_bytes=10**6, deadline_seconds=1.5)
        assert time.monotonic() - began < 2.5


def test_a_silent_server_is_cut_off(local_allowed, monkeypatch):
    monkeypatch.setattr(fetch_module, "STALL_SECONDS", 0.3)
    with calendar_server() as server:
        server.routes["/silent"] = 5.0
        began = time.monotonic()
        with pytest.raises(FetchError, match="stopped sending"):
            fetch(server.url("/silent"), max_bytes=10**6, deadline_seconds=4)
        assert time.monotonic() - began < 1.5


def test_a_slow_name_lookup_is_bounded_by_the_deadline(monkeypatch):
    def slow_lookup(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(1.5)
        raise socket.gaierror("too late")

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    began = time.monotonic()
    with pytest.raises(FetchError, match=r"did not answer within 0\.3 seconds"):
        fetch("http://slow-dns.example/", max_bytes=1000, deadline_seconds=0.3)
    assert time.monotonic() - began < 1.0


def test_allowed_networks_are_explicit(local_allowed):
    with calendar_server() as server:
        server.routes["/c.ics"] = (200, b"BEGIN:VCALENDAR")
        assert fetch(server.url("/c.ics"), max_bytes=100, deadline_seconds=2) == b"BEGIN:VCALENDAR"
        with pytest.raises(FetchRefused):
            fetch(server.url("/c.ics"), max_bytes=100, deadline_seconds=2, allowed=[])
        assert server.hits == ["/c.ics"]


# --- post_json: webhooks go out through the same guard -----------------------------------------


def test_post_json_delivers_the_payload_and_returns_the_status(local_allowed):
    with calendar_server() as server:
        server.routes["/hook"] = (204, b"")
        status = post_json(server.url("/hook"), {"text": "Tripwire CTR tripped"})
    assert status == 204
    assert server.posts == [("/hook", "application/json", b'{"text": "Tripwire CTR tripped"}')]


def test_post_json_refuses_private_addresses_by_default():
    with calendar_server() as server:
        server.routes["/hook"] = (204, b"")
        with pytest.raises(FetchRefused):
            post_json(server.url("/hook"), {"text": "x"})
    assert server.posts == []


def test_post_json_is_bounded_by_its_deadline(local_allowed):
    with calendar_server() as server:
        server.routes["/hook"] = 30.0  # the server thinks for 30 s
        started = time.monotonic()
        with pytest.raises(FetchError):
            post_json(server.url("/hook"), {"text": "x"}, deadline_seconds=1.0)
        assert time.monotonic() - started < 5
