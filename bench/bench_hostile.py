"""Time and peak memory of the process that imports each hostile calendar.

    python bench/bench_hostile.py [--root CHECKOUT] [--timeout SECONDS]

Each case runs in a fresh Python process standing in for a web worker: it loads the importer,
notes its resident memory, imports the file, and reports wall time, the growth of its own peak
memory (VmHWM) and, for the isolated reader, the peak of the child process that parsed. Point
--root at an older checkout to measure the in-process importer it had (`schedule.ics_import`).
A case still running at --timeout is killed and reported with the memory it had reached.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

_WORKER = r"""
import json, resource, sys, time
from datetime import UTC, datetime

def hwm_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

start, end = datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 4, 13, tzinfo=UTC)
try:
    from schedule.ical.read.isolated import read_busy_isolated as read
    kind = "isolated"
except ImportError:
    from schedule.ics_import import parse_busy_ics as read
    kind = "in-process"
data = sys.stdin.buffer.read()
base = hwm_mb()
print(json.dumps({"base": base}), flush=True)
began = time.perf_counter()
try:
    result = read(data, horizon_start=start, horizon_end=end, default_timezone="Europe/Paris")
    if isinstance(result, list):
        outcome = f"{len(result)} busy intervals"
    else:
        outcome = f"{len(result.intervals)} busy intervals, {result.skipped_count} events skipped"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {str(exc)[:110]}"
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"kind": kind, "seconds": time.perf_counter() - began,
                  "grew_mb": hwm_mb() - base, "child_mb": child, "outcome": outcome}))
"""


def _hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_case(root: Path, data: bytes, timeout: float) -> dict[str, object]:
    worker = subprocess.Popen(  # noqa: S603  (our own interpreter and script)
        [sys.executable, "-c", _WORKER],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(data)
    worker.stdin.close()
    base = json.loads(worker.stdout.readline())["base"]
    began = time.perf_counter()
    try:
        worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        reached = _hwm_mb(worker.pid)
        worker.kill()
        worker.wait()
        return {
            "seconds": time.perf_counter() - began,
            "grew_mb": reached - base,
            "outcome": f"still running at {timeout:g} s, killed",
        }
    return dict(json.loads(worker.stdout.readline()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=HERE)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from tests.schedule.hostile import HOSTILE_FILES

    for name, build in HOSTILE_FILES.items():
        if args.cases and name not in args.cases:
            continue
        data = build()
        result = run_case(args.root, data, args.timeout)
        child = result.get("child_mb")
        print(
            f"{name:22} {len(data):>9,} B  {result['seconds']:6.2f} s  "
            f"worker +{result['grew_mb']:6.1f} MB"
            + (f"  parser process peak {child:6.1f} MB" if child else "")
            + f"  {result['outcome']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
