"""Form-letter campaigns among texts: near-duplicate groups (`minhash`), then a consensus.

Pure: no database, no I/O. Feed texts to a `CampaignDetector` with `add(key, text)`, ask for its
candidate `groups()` (near-duplicates found by MinHash and LSH, see `consult.analysis.minhash`),
then for its `campaigns()` given the texts of the groups' members; or call `find_campaigns` with
all the texts at once.

How a group becomes a campaign:

1. Its **template** is a consensus: start from the medoid (the member whose signature agrees most
   with the commonest value in each position), keep the words that most of a sample of members
   share with it, and put in the words most of them have where the medoid differs.
2. A template of fewer than `MIN_TEMPLATE_WORDS` words is no letter (answers that merely share a
   sentence or two); a member must copy at least `TEMPLATE_SHARE` of the template's words. Members
   that do not are looked at again as a group of their own (two letters chained by a text that
   quotes both come apart here). A **campaign** has at least `MIN_CAMPAIGN` members.
3. What a member **added** is every stretch of its words that is not part of a run of `ADDED_RUN`
   consecutive words also in the template: its own sentences and the words it changed, in its
   order; a sentence or paragraph moved within the letter is still the template's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import compress, count

import numpy as np

from consult.analysis.minhash import (
    PUNCTUATION,
    SIGNATURE_SIZE,
    Signatures,
    WordNumbers,
    near_duplicates,
    signatures,
    words_of,
)

# Copies of one letter with a sentence of their own and a few words changed resemble each other at
# 0.3 to 0.8; independent answers to one question well under 0.2. A low bar finds the most
# heavily edited copies; the template checks (2. above) keep out what merely resembles a letter.
THRESHOLD = 0.3
MIN_CAMPAIGN = 5
# A campaign's template is a letter, not the one or two sentences many answers have in common.
MIN_TEMPLATE_WORDS = 80
# A member copies at least this share of the template's words...
TEMPLATE_SHARE = 0.5
# ...so a shorter text cannot be a member, and is not even compared.
MIN_WORDS = int(MIN_TEMPLATE_WORDS * TEMPLATE_SHARE)
# How many members vote on the template (spread evenly over the campaign), and how many are
# looked at to choose the medoid.
CONSENSUS_SAMPLE = 25
MEDOID_SAMPLE = 500
# A member's word is the template's when it sits in a run of this many words the template has.
ADDED_RUN = 4
ADDED_SEPARATOR = " … "
# Texts are turned into signatures this many at a time (bounds the memory numpy needs).
CHUNK = 4096

_PARAGRAPHS = re.compile(r"\n[^\S\n]*\n\s*")
_NO_PUNCTUATION = str.maketrans("", "", PUNCTUATION)
_PARAGRAPH = "\n\n"


@dataclass(frozen=True)
class Member:
    key: int
    added: str


@dataclass(frozen=True)
class Campaign:
    template: str
    members: tuple[Member, ...]

    @property
    def size(self) -> int:
        return len(self.members)


class CampaignDetector:
    """Collects texts (keys must be unique) and groups the near-identical ones."""

    def __init__(self, *, threshold: float = THRESHOLD, min_size: int = MIN_CAMPAIGN) -> None:
        self.threshold = threshold
        self.min_size = min_size
        self._numbers = WordNumbers()
        self._keys: list[int] = []
        self._pending: list[list[int]] = []
        self._done: list[Signatures] = []
        self._signatures: Signatures | None = None
        self._position_of: dict[int, int] = {}
        self._groups: list[list[int]] | None = None

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: int, text: str) -> bool:
        """Consider one text; False when it is too short to be part of a form letter."""
        words = words_of(text)
        if len(words) < MIN_WORDS:
            return False
        self._keys.append(key)
        self._pending.append(list(map(self._numbers.__getitem__, words)))
        self._signatures = self._groups = None
        if len(self._pending) >= CHUNK:
            self._flush()
        return True

    def _flush(self) -> None:
        if self._pending:
            self._done.append(signatures(self._pending))
            self._pending = []

    def _all_signatures(self) -> Signatures:
        if self._signatures is None:
            self._flush()
            self._done = [np.concatenate(self._done)] if self._done else []
            empty = np.zeros((0, SIGNATURE_SIZE), dtype=np.uint32)
            self._signatures = self._done[0] if self._done else empty
        return self._signatures

    def groups(self) -> list[list[int]]:
        """Keys of each group of at least `min_size` texts: largest first, then by first key."""
        if self._groups is None:
            labels = near_duplicates(self._all_signatures(), self.threshold)
            by_label: dict[int, list[int]] = {}
            for index, label in enumerate(labels.tolist()):
                by_label.setdefault(label, []).append(self._keys[index])
            found = [sorted(keys) for keys in by_label.values() if len(keys) >= self.min_size]
            found.sort(key=lambda keys: (-len(keys), keys[0]))
            self._groups = found
        return [list(keys) for keys in self._groups]

    def medoid(self, keys: Sequence[int]) -> int:
        """The member whose signature agrees most with the commonest value in each position."""
        rows = self._all_signatures()
        if len(self._position_of) != len(self._keys):
            self._position_of = {key: index for index, key in enumerate(self._keys)}
        position_of = self._position_of
        sample = _spread(sorted(keys), MEDOID_SAMPLE)
        chosen = rows[[position_of[key] for key in sample]]
        modes = np.empty(SIGNATURE_SIZE, dtype=np.uint32)
        for column in range(SIGNATURE_SIZE):
            values, counts = np.unique(chosen[:, column], return_counts=True)
            modes[column] = values[np.argmax(counts)]
        agreement = (chosen == modes).sum(axis=1)
        return sample[int(np.argmax(agreement))]  # the first of the best, in key order

    def campaigns(self, texts: Mapping[int, str]) -> list[Campaign]:
        """The campaigns among the groups, given the texts of the groups' members.

        A group whose consensus template is too short (texts that merely share some sentences,
        not one letter) is no campaign; members that copy less than `TEMPLATE_SHARE` of the
        template are left out, and those left out are looked at again as a group of their own.
        Largest first, then by first key; members in key order.
        """
        found = []
        for keys in self.groups():
            pending = [keys]
            while pending:
                group = pending.pop()
                campaign, rest = self._campaign(group, texts)
                if campaign is not None:
                    found.append(campaign)
                if self.min_size <= len(rest) < len(group):
                    pending.append(rest)
        found.sort(key=lambda campaign: (-campaign.size, campaign.members[0].key))
        return found

    def _campaign(
        self, keys: Sequence[int], texts: Mapping[int, str]
    ) -> tuple[Campaign | None, list[int]]:
        medoid = self.medoid(keys)
        others = _spread([key for key in keys if key != medoid], CONSENSUS_SAMPLE)
        template = consensus(texts[medoid], [texts[key] for key in others])
        _, template_keys = _words_and_keys(template)
        if len(template_keys) < MIN_TEMPLATE_WORDS:
            return None, list(keys)
        runs = _runs(template_keys)
        members, rest = [], []
        for key in keys:
            added, copied = _compare(runs, texts[key])
            if copied >= TEMPLATE_SHARE * len(template_keys):
                members.append(Member(key, added))
            else:
                rest.append(key)
        if len(members) < self.min_size:
            return None, list(keys)
        return Campaign(template, tuple(members)), rest


def find_campaigns(
    texts: Iterable[tuple[int, str]],
    *,
    threshold: float = THRESHOLD,
    min_size: int = MIN_CAMPAIGN,
) -> list[Campaign]:
    """Every campaign among `(key, text)` pairs (keys unique): largest first."""
    detector = CampaignDetector(threshold=threshold, min_size=min_size)
    kept: dict[int, str] = {}
    for key, text in texts:
        if detector.add(key, text):
            kept[key] = text
    return detector.campaigns(kept)


# ---------------------------------------------------------------- template and added text


@dataclass(frozen=True)
class _Tokens:
    """A text as tokens: words as written (punctuation attached) or paragraph breaks, with the
    normalised form each is compared by (case-folded, without punctuation)."""

    raw: list[str]
    keys: list[str]

    @classmethod
    def of(cls, text: str) -> _Tokens:
        raw: list[str] = []
        for paragraph in _PARAGRAPHS.split(text.strip()):
            if raw:
                raw.append(_PARAGRAPH)
            raw += paragraph.split()
        keys = " ".join(raw).casefold().translate(_NO_PUNCTUATION).split(" ")
        if "" in keys:  # a token of punctuation alone, such as a dash: keep it as it is
            keys = [token.casefold().strip(PUNCTUATION) or token for token in raw]
        return cls(raw, keys)

    def text(self) -> str:
        paragraphs = " ".join(self.raw).split(_PARAGRAPH)
        return _PARAGRAPH.join(p.strip() for p in paragraphs if p.strip())


def _spread(items: Sequence[int], count: int) -> list[int]:
    """At most `count` items, evenly spaced: a deterministic sample."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def consensus(medoid: str, others: Sequence[str]) -> str:
    """The words most of `others` share with `medoid`, with the words most of them have instead
    where the medoid differs: its own sentence left out, a word it changed changed back.

    "Share" is order-blind (a run of `ADDED_RUN` words the other text has anywhere), so sentences
    some members moved still count; putting words in is by position (a word diff).
    """
    base = _Tokens.of(medoid)
    if not others:
        return base.text()
    majority = len(others) / 2
    words = [i for i, key in enumerate(base.keys) if key != _PARAGRAPH]
    word_keys = [base.keys[i] for i in words]
    shared = [0] * len(words)
    for text in others:
        for position in compress(count(), _covered(_runs(_words_and_keys(text)[1]), word_keys)):
            shared[position] += 1
    kept = {words[i] for i, n in enumerate(shared) if n > majority}
    draft = [i for i, key in enumerate(base.keys) if i in kept or key == _PARAGRAPH]
    raw, keys = [base.raw[i] for i in draft], [base.keys[i] for i in draft]

    # Words most voters have in the same place of the draft, where the draft has none or others.
    votes: Counter[tuple[int, int, tuple[str, ...]]] = Counter()
    spelling: dict[tuple[int, int, tuple[str, ...]], list[str]] = {}
    matcher: SequenceMatcher[str] = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(keys)
    for text in others:
        voter = _Tokens.of(text)
        matcher.set_seq1(voter.keys)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag in ("delete", "replace"):  # the voter has words i1:i2 where the draft has j1:j2
                slot = (j1, j2, tuple(voter.keys[i1:i2]))
                votes[slot] += 1
                spelling.setdefault(slot, voter.raw[i1:i2])
    # Right to left, so that earlier positions stay where they were.
    for slot in sorted((s for s, n in votes.items() if n > majority), reverse=True):
        j1, j2, replacement = slot
        raw[j1:j2] = spelling[slot]
        keys[j1:j2] = list(replacement)
    return _Tokens(raw, keys).text()


def _words_and_keys(text: str) -> tuple[list[str], list[str]]:
    """A text's words as written, and the normalised form each is compared by."""
    raw = text.split()
    keys = text.casefold().translate(_NO_PUNCTUATION).split()
    if len(keys) != len(raw):  # a token of punctuation alone, such as a dash: keep it as it is
        keys = [token.casefold().strip(PUNCTUATION) or token for token in raw]
    return raw, keys


def _runs(keys: Sequence[str]) -> set[tuple[str, ...]]:
    """Every run of `ADDED_RUN` consecutive words."""
    return set(zip(*(keys[i:] for i in range(ADDED_RUN)), strict=False))


def _covered(runs: set[tuple[str, ...]], keys: Sequence[str]) -> bytes:
    """1 for each word that sits in a run of `ADDED_RUN` words found in `runs`, else 0.

    Words between a change and the text's end (or the next change) that are fewer than
    `ADDED_RUN` count as added with the change: better to show a few of the letter's words again
    than to hide any of the sender's own.
    """
    windows = zip(*(keys[i:] for i in range(ADDED_RUN)), strict=False)
    found = bytes(map(runs.__contains__, windows))  # one byte per window: 1 if the template has it
    if not found:
        return bytes(len(keys))
    # A window covers its words: OR each window's byte into the next ADDED_RUN - 1 bytes too, all
    # at once as one big integer (bytes hold 0 or 1, so nothing carries).
    hits = int.from_bytes(found, "little")
    spread = hits
    for step in range(1, ADDED_RUN):
        spread |= hits << (8 * step)
    return spread.to_bytes(len(keys), "little")


def _compare(template_runs: set[tuple[str, ...]], text: str) -> tuple[str, int]:
    """What the text added to the template, and how many of its words are the template's."""
    raw, keys = _words_and_keys(text)
    covered = _covered(template_runs, keys)
    parts = []
    end = 0
    # From one stretch of words outside the template to the next (bytearray.find runs in C).
    while (start := covered.find(0, end)) >= 0:
        end = covered.find(1, start)
        if end < 0:
            end = len(covered)
        parts.append(" ".join(raw[start:end]))
    return ADDED_SEPARATOR.join(parts), covered.count(1)


def added_text(template: str, text: str) -> str:
    """What `text` adds to `template`: its words outside runs it shares with the template, each
    stretch joined to the next with " … "."""
    return _compare(_runs(_words_and_keys(template)[1]), text)[0]
