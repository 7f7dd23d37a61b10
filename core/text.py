"""Text people type and others read: one definition of what is taken out of it.

Bidirectional control characters (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM and
the Arabic letter mark) let a title display differently from what it says ("Trojan Source"):
U+202E before "gnp.exe" shows "exe.png". They are removed wherever such text is saved
(core.fields), so no page, feed, wall screen or API answer shows them.
"""

from __future__ import annotations

BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_DROP = {ord(char): None for char in BIDI_CONTROLS}


def strip_bidi(value: str) -> str:
    return value.translate(_DROP)
