"""One work budget and one deadline for everything the reader does with one file.

Every loop over something the file controls (blocks, zones, rules, date lists, occurrences)
spends from the same `Budget`, and each spend also checks the clock, so neither a huge list
nor a rule that is slow per step can run past the deadline between two checks for long.
"""

from __future__ import annotations

from time import monotonic

from .errors import IcsImportError

# Rough microseconds of parsing and expansion one file may cost: far above any real
# calendar (a 2 MB Google export spends about a tenth), far below a stalled worker.
MAX_WORK = 1_000_000
# The in-process deadline; the separate process is killed a little after it (see isolated.py).
READ_DEADLINE_SECONDS = 3.5

TOO_MUCH_WORK = (
    "This calendar has too many repeating events in the date range to import at once. "
    "Export a shorter date range, or a calendar with fewer repeating events."
)
TOO_SLOW = (
    "This calendar takes too long to read: some repeating events or time zones use "
    "unusually complex rules. Export a shorter date range or remove those events."
)


class Budget:
    """Work units and wall-clock time left for one file."""

    def __init__(self, *, work: int = MAX_WORK, seconds: float = READ_DEADLINE_SECONDS) -> None:
        self.work = work
        self.work_left = work
        self.deadline = monotonic() + seconds

    def spend(self, units: int = 1) -> None:
        """Take `units` from the budget; refuse the file when either runs out."""
        self.work_left -= units
        if self.work_left < 0:
            raise IcsImportError(TOO_MUCH_WORK)
        self.check_clock()

    def check_clock(self) -> None:
        if monotonic() > self.deadline:
            raise IcsImportError(TOO_SLOW)

    def affords(self, units: int) -> bool:
        """Whether one item costing `units` could fit in a whole fresh budget."""
        return units <= self.work
