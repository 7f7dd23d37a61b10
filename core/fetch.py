"""The app's one outgoing HTTP client: http(s) only, public addresses only, bounded.

- The address is checked where the socket connects, on every address the name resolves to
  and again on the connected socket's actual peer (as Sentry's `safe_create_connection`
  does): a name that resolves to a public address for a check and to 127.0.0.1 for the
  connection (DNS rebinding) never reaches the private one. Refused: private, loopback,
  link-local, multicast, reserved and unspecified addresses, also when wrapped in an IPv6
  form (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo). Redirects are checked the same.
- One deadline covers the whole fetch (name lookup, connect, TLS, headers, body, redirects):
  a server dripping a byte every few seconds is cut off at it, and earlier by the minimum
  rate. Answers over `max_bytes` are cut off and refused.
- `settings.FOCUSBOARD_FETCH_ALLOWED_NETWORKS` lists networks that are allowed anyway. It
  is empty by default and in production; the tests use it for a server on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import itertools
import json
import socket
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as LookupTimeout
from time import monotonic
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_REDIRECTS = 5
# A server may think for a moment before answering; after that grace it must keep sending at
# least this fast on average, and never fall silent for longer than STALL_SECONDS.
MIN_BYTES_PER_SECOND = 8 * 1024
RATE_GRACE_SECONDS = 1.0
STALL_SECONDS = 2.0
USER_AGENT = "Focusboard"
# A webhook's answer is read (so the connection ends cleanly) but not used.
MAX_WEBHOOK_ANSWER_BYTES = 64 * 1024
_CHUNK = 64 * 1024
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_lookups = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fetch-dns")


class FetchError(Exception):
    """The fetch did not happen; `str(exc)` is a sentence for the person."""


class FetchRefused(FetchError):
    """The address is not one the app may fetch from (a private network, not http(s))."""


class FetchTooLarge(FetchError):
    """The answer is larger than `max_bytes`."""

    def __init__(self, host: str, max_bytes: int) -> None:
        super().__init__(f"The answer from {host} is larger than {max_bytes:,} bytes.")
        self.max_bytes = max_bytes


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client; the server is checked by is_public_address
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """Whether the app may connect to `address` on the public internet."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_LOCAL:
            return False
        inner = embedded_ipv4(address)
        if address.teredo is not None and not is_public_address(address.teredo[0]):
            return False
        if inner is not None:  # the packets end up at the IPv4 address: it decides
            return is_public_address(inner)
        if address in _IPV4_COMPATIBLE:
            return False  # :: and ::1
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def allowed_networks() -> list[IPNetwork]:
    return [
        ipaddress.ip_network(network)
        for network in getattr(settings, "FOCUSBOARD_FETCH_ALLOWED_NETWORKS", ())
    ]


def _check_address(address: IPAddress, host: str, allowed: Sequence[IPNetwork]) -> None:
    if any(address.version == net.version and address in net for net in allowed):
        return
    if not is_public_address(address):
        raise FetchRefused(f"Focusboard does not connect to private or local addresses ({host}).")


class _Clock:
    """The one deadline of a fetch, and a watchdog that cuts the socket when it passes."""

    def __init__(self, seconds: float, host: str) -> None:
        self.seconds = seconds
        self.ends = monotonic() + seconds
        self.host = host
        self.expired = False
        self._socket: socket.socket | None = None
        self._timer: threading.Timer | None = None

    def left(self) -> float:
        left = self.ends - monotonic()
        if left <= 0:
            raise self.late()
        return left

    def late(self) -> FetchError:
        return FetchError(f"{self.host} did not answer within {self.seconds:g} seconds.")

    def watch(self, sock: socket.socket) -> None:
        """Shut the connection down at the deadline, wherever a read is blocked then.

        A socket timeout bounds one read, not a server that sends a byte just before each
        timeout; shutting down a duplicate of the socket ends every read at once (TLS too).
        """
        self.stop()
        self._socket = socket.fromfd(sock.fileno(), sock.family, sock.type)
        self._timer = threading.Timer(self.left(), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.expired = True
        if self._socket is not None:
            with contextlib.suppress(OSError):  # already closed by the reader
                self._socket.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._socket is not None:
            self._socket.close()
        self._timer = self._socket = None


def _resolve(host: str, port: int, clock: _Clock) -> list[tuple[Any, ...]]:
    """getaddrinfo under the deadline (a slow resolver cannot hold the request)."""
    lookup = _lookups.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        return list(lookup.result(timeout=clock.left()))
    except LookupTimeout:
        raise clock.late() from None
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"Could not find the server {host}.") from exc


def safe_create_connection(
    host: str, port: int, clock: _Clock, allowed: Sequence[IPNetwork]
) -> socket.socket:
    """Connect to a public address of `host`, checked on the socket that is connected."""
    infos = _resolve(host, port, clock)
    if not infos:
        raise FetchError(f"Could not find the server {host}.")
    for info in infos:
        _check_address(ipaddress.ip_address(info[4][0].split("%", 1)[0]), host, allowed)
    last_error: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(min(clock.left(), STALL_SECONDS * 2))
            sock.connect(address)
            peer = ipaddress.ip_address(sock.getpeername()[0].split("%", 1)[0])
            _check_address(peer, host, allowed)
        except FetchError:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        sock.settimeout(STALL_SECONDS)
        return sock
    if isinstance(last_error, TimeoutError):
        raise clock.late() from last_error
    raise FetchError(f"Could not reach {host}: {last_error}.") from last_error


def fetch(
    url: str,
    *,
    max_bytes: int,
    deadline_seconds: float,
    accept: str = "*/*",
    allowed: Iterable[IPNetwork] | None = None,
) -> bytes:
    """GET `url` (http or https), following up to MAX_REDIRECTS redirects, and return the
    body. Raises FetchError (FetchRefused, FetchTooLarge) with a sentence for the person."""
    networks = list(allowed_networks() if allowed is None else allowed)
    clock = _Clock(deadline_seconds, urlsplit(url).hostname or "the server")
    try:
        for _ in range(MAX_REDIRECTS + 1):
            status, location, body = _request_once("GET", url, clock, networks, accept, max_bytes)
            if location is None:
                if status >= 400:
                    raise FetchError(f"{clock.host} answered {status}; check the address.")
                return body
            url = urljoin(url, location)
        raise FetchError(f"{clock.host} redirected more than {MAX_REDIRECTS} times.")
    finally:
        clock.stop()


def post_json(
    url: str,
    payload: Mapping[str, Any],
    *,
    deadline_seconds: float = 10.0,
    allowed: Iterable[IPNetwork] | None = None,
) -> int:
    """POST `payload` as JSON to `url` (a webhook) and return the answer's status. Redirects
    are not followed (a webhook that moved answers 3xx). Raises FetchError like `fetch`."""
    networks = list(allowed_networks() if allowed is None else allowed)
    clock = _Clock(deadline_seconds, urlsplit(url).hostname or "the server")
    body = json.dumps(payload).encode()
    try:
        status, _, _ = _request_once(
            "POST", url, clock, networks, "*/*", MAX_WEBHOOK_ANSWER_BYTES, body=body
        )
        return status
    finally:
        clock.stop()


def _request_once(
    method: str,
    url: str,
    clock: _Clock,
    networks: Sequence[IPNetwork],
    accept: str,
    max_bytes: int,
    *,
    body: bytes | None = None,
) -> tuple[int, str | None, bytes]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused("Focusboard only fetches http:// and https:// addresses.")
    host = parts.hostname
    if not host:
        raise FetchRefused("That address has no host name.")
    clock.host = host
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise FetchRefused("That address has an invalid port.") from exc
    connection_class = (
        http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(host, port, timeout=STALL_SECONDS)

    def connect(*_args: object, **_kwargs: object) -> socket.socket:
        sock = safe_create_connection(host, port, clock, networks)
        clock.watch(sock)
        return sock

    connection._create_connection = connect  # type: ignore[attr-defined]
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        headers = {"User-Agent": USER_AGENT, "Accept": accept}
        if body is not None:
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
            return response.status, response.getheader("Location"), b""
        if response.status >= 400:
            return response.status, None, b""
        return response.status, None, _read_body(response, clock, max_bytes)
    except FetchError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if clock.expired or isinstance(exc, TimeoutError):
            raise (clock.late() if clock.expired else _stalled(host)) from exc
        raise FetchError(f"Could not read the answer from {host}: {exc}.") from exc
    finally:
        connection.close()


def _stalled(host: str) -> FetchError:
    return FetchError(f"{host} stopped sending for more than {STALL_SECONDS:g} seconds.")


def _read_body(response: http.client.HTTPResponse, clock: _Clock, max_bytes: int) -> bytes:
    started = monotonic()
    body = bytearray()
    for pieces in itertools.count(1):
        chunk = response.read1(_CHUNK)
        if clock.expired:
            raise clock.late()
        if not chunk:
            break
        body += chunk
        if len(body) > max_bytes:
            raise FetchTooLarge(clock.host, max_bytes)
        elapsed = monotonic() - started
        # Judged from the second piece on: a small answer sent at once after a pause is fine.
        slow = pieces > 1 and elapsed > RATE_GRACE_SECONDS
        if slow and len(body) < MIN_BYTES_PER_SECOND * elapsed:
            raise FetchError(
                f"{clock.host} sends too slowly (under {MIN_BYTES_PER_SECOND // 1024} KB a second)."
            )
    return bytes(body)
