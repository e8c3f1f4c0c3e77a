"""Rules that both forms (shape) and services (storage) apply: web addresses and answer limits."""

from __future__ import annotations

import re

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 50_000
_WORD = re.compile(r"\S+")


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of non-space characters."""
    return len(_WORD.findall(text or ""))
