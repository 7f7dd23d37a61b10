"""The API's JSON parser: DRF's, with a size and a depth limit, so hostile JSON gets a 400
sentence instead of a 500 (Python's parser recurses: 1000 nested brackets, 2 KB, raise
RecursionError) or a worker busy parsing megabytes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant

from .limits import MAX_JSON_DEPTH, MAX_REQUEST_BYTES, too_large_sentence


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "request_too_large"


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (a loop, not recursion: it
    runs in time linear in the value's size, whatever its shape)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node)
    return deepest


class LimitedJSONParser(JSONParser):
    """At most MAX_REQUEST_BYTES (counted as read, whatever Content-Length said) and
    MAX_JSON_DEPTH levels of arrays and objects."""

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
            parse_constant = strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError:  # Python's parser gives up near 1000 levels: far too deep
            raise too_deep from None
        except ValueError as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from exc
        if json_depth(data) > self.max_depth:
            raise too_deep
        return data
