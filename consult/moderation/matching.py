"""When two pieces of text count as the same, for redaction: the rules, in one place.

A moderator hides a piece of an answer by pasting it (or selecting it). Every occurrence of that
text in the answer is hidden, where an occurrence is the same text up to:

1. **Case.** "Jane Doe" also hides "JANE DOE" and "jane doe" (Unicode case-insensitive matching).
2. **White space.** Any run of spaces, tabs or line breaks matches any other run, so a number
   pasted as "0800 555 0100" also hides "0800  555\\n0100" (browsers send CR LF, pasted text may
   have single spaces). White space at either end of the pasted text is ignored.

Nothing else is loosened: punctuation, digits and accents must be as written ("0800-555-0100"
and "08005550100" are other texts, to be redacted on their own), so that a redaction never hides
more than the moderator saw. Occurrences do not overlap and are found left to right.
"""

from __future__ import annotations

import re

SPACE = re.compile(r"\s+")


def pattern_for(wanted: str) -> re.Pattern[str] | None:
    """The pattern that finds `wanted` under the rules above; None for blank text."""
    words = SPACE.split(wanted.strip())
    if not words or words == [""]:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


def occurrences(text: str, wanted: str) -> list[tuple[int, int]]:
    """The (start, end) of each occurrence of `wanted` in `text`, left to right."""
    pattern = pattern_for(wanted)
    return [match.span() for match in pattern.finditer(text)] if pattern else []
