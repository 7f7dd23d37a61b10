"""The API's JSON parser: DRF's, with a size and a depth limit, so hostile JSON gets a 400
sentence instead of a 500 (Python's parser recurses: 1000 nested brackets, 2 KB, raise
RecursionError) or a worker busy parsing megabytes."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from .limits import MAX_JSON_DEPTH, MAX_REQUEST_BYTES, too_large_sentence


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "request_too_large"


def json_shape(value: Any) -> tuple[int, bool]:
    """How deeply arrays and objects nest in a parsed JSON value, and whether a NUL character
    is in any of its strings, keys included (no text here may hold one, and PostgreSQL
    refuses it even in a lookup: a username looked up before any field refused it was a
    500). One loop, not recursion: linear in the value's size, whatever its shape."""
    deepest, nul = 0, False
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            nul = nul or "\x00" in node
            continue
        if isinstance(node, dict):
            stack.extend((key, depth) for key in node)
            node = node.values()
        elif not isinstance(node, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node)
    return deepest, nul


def finite_number(text: str) -> float:
    """A JSON number as a float, refusing one too large for a float (1e999 would become
    infinity, which no field here means and an integer key cannot hold: a 500)."""
    value = float(text)
    if not math.isfinite(value):
        raise ParseError(f"The number {text[:40]} is too large; numbers here are finite.")
    return value


def no_constant(name: str) -> float:
    """NaN, Infinity and -Infinity, which Python's parser reads but JSON does not have."""
    raise ParseError(f"{name} is not a JSON number; numbers here are finite.")


class LimitedJSONParser(JSONParser):
    """At most MAX_REQUEST_BYTES (counted as read, whatever Content-Length said) and
    MAX_JSON_DEPTH levels of arrays and objects, finite numbers only (NaN and Infinity are
    not JSON; 1e999 is, but no float holds it), and no NUL character in any string."""

    max_bytes = MAX_REQUEST_BYTES
    max_depth = MAX_JSON_DEPTH

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        if stream is None:
            raise ParseError("Send a JSON body.")
        raw = stream.read(self.max_bytes + 1)
        if len(raw) > self.max_bytes:
            raise RequestTooLarge(too_large_sentence(len(raw), self.max_bytes))
        too_deep = ParseError(
            f"The JSON is nested more than {self.max_depth} levels deep; "
            "no request here needs that."
        )
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = raw.decode(encoding)
            data = json.loads(text, parse_constant=no_constant, parse_float=finite_number)
        except RecursionError:  # Python's parser gives up near 1000 levels: far too deep
            raise too_deep from None
        except ValueError as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from exc
        depth, nul = json_shape(data)
        if depth > self.max_depth:
            raise too_deep
        if nul:
            raise ParseError("Text here cannot contain the NUL character (\\u0000).")
        return data
