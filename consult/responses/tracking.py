"""Tracking numbers like QC-2026-7KX4-M9PD: random, unguessable, with a check character.

Crockford's base-32 alphabet (no I, L, O or U, so nothing reads as another character). Seven
random characters (35 bits) and a Luhn mod-32 check character, which catches every single
mistyped character and most swapped neighbours before the database is asked.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PATTERN = re.compile(r"^QC-(\d{4})-([0-9A-Z]{4})-([0-9A-Z]{4})$")
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def check_character(payload: str) -> str:
    """Luhn mod N over ALPHABET."""
    total, factor, base = 0, 2, len(ALPHABET)
    for char in reversed(payload):
        addend = factor * ALPHABET.index(char)
        total += addend // base + addend % base
        factor = 1 if factor == 2 else 2
    return ALPHABET[(base - total % base) % base]


def new_tracking_number(year: int) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(7))
    code = body + check_character(body)
    return f"QC-{year}-{code[:4]}-{code[4:]}"


def normalise(text: str) -> str | None:
    """The canonical form of a typed tracking number, or None when it cannot be one (bad check)."""
    candidate = text.strip().upper().translate(_CONFUSABLE)
    match = _PATTERN.match(candidate)
    if not match:
        return None
    code = match.group(2) + match.group(3)
    if any(ch not in ALPHABET for ch in code) or check_character(code[:7]) != code[7]:
        return None
    return candidate
