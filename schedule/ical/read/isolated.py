"""Read a calendar in a separate process with CPU-time and memory limits.

The in-process budget and deadline give the person a precise reason; this is the backstop
for inputs nobody has thought of yet (a pathological rule inside dateutil, a parser corner
that allocates without end): whatever the file does, the web worker waits at most
`WALL_SECONDS` and its own memory does not grow. The child is a plain `python -m` of this
module, not a fork of the worker, so it shares no database connection or thread with it. It
reads a JSON header line and the file's bytes on stdin and writes one JSON object to stdout.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from . import _caller_horizon, _caller_zone, read_busy
from .budget import READ_DEADLINE_SECONDS
from .errors import BusyInterval, IcsImportError, ReadResult, SkippedEvent

# The child gets the in-process deadline plus the interpreter's start (~0.3 s) and some slack.
WALL_SECONDS = READ_DEADLINE_SECONDS + 1.5  # 5 s
CPU_SECONDS = int(WALL_SECONDS) + 1
# Address space, not resident memory: the interpreter with icalendar loaded maps ~60 MB, and a
# 2 MB real calendar peaks near 150 MB resident.
MEMORY_BYTES = 512 * 1024 * 1024
LIMIT_SENTENCE = (
    "This calendar needs more time or memory to read than one import may use. Export a "
    "shorter date range, or remove unusually complex repeating events, and try again."
)
_PROJECT_ROOT = Path(__file__).resolve().parents[3]


def read_busy_isolated(
    data: bytes,
    *,
    horizon_start: datetime,
    horizon_end: datetime,
    default_timezone: str,
) -> ReadResult:
    """`read_busy` in a child process; IcsImportError(LIMIT_SENTENCE) when it is stopped."""
    _caller_zone(default_timezone)
    _caller_horizon(horizon_start, horizon_end)
    header = json.dumps(
        {
            "horizon_start": horizon_start.isoformat(),
            "horizon_end": horizon_end.isoformat(),
            "default_timezone": default_timezone,
            "cpu_seconds": CPU_SECONDS,
            "memory_bytes": MEMORY_BYTES,
        }
    ).encode()
    try:
        child = subprocess.run(  # noqa: S603  (our own interpreter and module, no shell)
            [sys.executable, "-m", __name__],
            input=header + b"\n" + bytes(data),
            capture_output=True,
            timeout=WALL_SECONDS,
            cwd=_PROJECT_ROOT,
            env={"PYTHONPATH": str(_PROJECT_ROOT), "PATH": os.defpath, "LANG": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        raise IcsImportError(LIMIT_SENTENCE) from exc
    try:
        answer = json.loads(child.stdout)
    except ValueError:
        answer = None
    if child.returncode != 0 or not isinstance(answer, dict):
        raise IcsImportError(LIMIT_SENTENCE)  # killed by a limit (or out of memory)
    if "error" in answer:
        raise IcsImportError(str(answer["error"]))
    return ReadResult(
        intervals=[
            BusyInterval(
                start=datetime.fromisoformat(start),
                end=datetime.fromisoformat(end),
                summary=summary,
            )
            for start, end, summary in answer["intervals"]
        ],
        skipped=[SkippedEvent(summary=s, reason=r) for s, r in answer["skipped"]],
        skipped_count=int(answer["skipped_count"]),
    )


def _limit_self(*, cpu_seconds: int, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def main() -> None:
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline())
    # Before reading a byte of the file; the limits come from the parent, which owns them.
    _limit_self(cpu_seconds=int(header["cpu_seconds"]), memory_bytes=int(header["memory_bytes"]))
    data = stdin.read()
    answer: dict[str, Any]
    try:
        result = read_busy(
            data,
            horizon_start=datetime.fromisoformat(header["horizon_start"]),
            horizon_end=datetime.fromisoformat(header["horizon_end"]),
            default_timezone=header["default_timezone"],
        )
    except IcsImportError as exc:
        answer = {"error": str(exc)}
    except MemoryError:
        answer = {"error": LIMIT_SENTENCE}
    else:
        answer = {
            "intervals": [
                [i.start.isoformat(), i.end.isoformat(), i.summary] for i in result.intervals
            ],
            "skipped": [[s.summary, s.reason] for s in result.skipped],
            "skipped_count": result.skipped_count,
        }
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
