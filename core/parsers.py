"""The API's JSON parser: DRF's, with a size and a depth limit, so hostile JSON gets a 400
sentence instead of a 500 (Python's parser recurses: 1000 nested brackets, 2 KB, raise
RecursionError) or a worker busy parsing megabytes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant

from .limits import MAX_JSON_DEPTH, MAX_REQUEST_BYTES, too_large_sentence

# A JSON string, escapes included: its brackets do not nest anything.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_OPENERS = frozenset(b"[{")


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "request_too_large"


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text, without parsing it."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRING.sub(b'""', raw)):
        if match.group()[0] in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
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
        if json_depth(raw) > self.max_depth:
            raise ParseError(
                f"The JSON is nested more than {self.max_depth} levels deep; "
                "no request here needs that."
            )
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = raw.decode(encoding)
            parse_constant = strict_constant if api_settings.STRICT_JSON else None
            return json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from exc
