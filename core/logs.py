"""Keep secret addresses out of the logs.

Calendar feeds and kiosk walls are reached by a secret in the path; a request log that
printed the path would hand the secret to whoever reads the logs. This filter rewrites the
message with the secret masked ("/feeds/***.ics"). It is attached to the loggers that print
paths: runserver's request log (django.server) and Django's 4xx/5xx log (django.request).
"""

from __future__ import annotations

import logging
import re

MASK = "***"
# /feeds/<secret>.ics and /wall/<secret>/... at the start of a path (not /t/<team>/wall/).
_SECRET_IN_PATH = re.compile(r"""(?<![\w-])(/(?:feeds|wall)/)[^/\s"'?#]+?(?=\.ics\b|[/\s"'?#]|$)""")


def mask_secrets(text: str) -> str:
    return _SECRET_IN_PATH.sub(rf"\g<1>{MASK}", text)


class MaskSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
