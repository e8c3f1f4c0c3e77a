"""MinHash signatures of texts, and the groups of near-duplicates among them. Pure numpy, no I/O.

1. **Normalise**: NFKC, case-folded, punctuation read as a space: words are what is left; each
   word becomes a stable 32-bit number (CRC-32).
2. **Shingles**: every run of `SHINGLE_WORDS` consecutive words, hashed to 64 bits. Two texts'
   resemblance is the Jaccard similarity of their shingle sets: an edited copy of a letter keeps
   most of its shingles (a changed word costs five, a moved sentence about eight), while a
   different text shares almost none, even on the same subject.
3. **Signature** of `SIGNATURE_SIZE` values by one-permutation hashing (Li, Owen and Zhang, 2012):
   a shingle's hash falls in one of the bins by its low bits, and each bin keeps its smallest
   value; an empty bin borrows from the next full one (rotation densification, Shrivastava and
   Li, 2014). The share of equal positions in two signatures estimates the Jaccard similarity of
   the two texts, for one hash per shingle instead of one per shingle and permutation.
4. **LSH banding**: signatures are cut into `BANDS` bands of `ROWS` values; two texts with an equal
   band are candidates. In each band every text is paired with the first text that had the same
   value, so the pairs grow linearly with the number of texts, not with the square of a group.
5. **Verification**: a candidate pair is kept when its estimated similarity reaches the threshold;
   groups are the connected components of the kept pairs.

Hashing is deterministic (no salted `hash()`), so the same texts give the same groups in every
process.
"""

from __future__ import annotations

import math
import string
import unicodedata
import zlib
from collections.abc import Sequence
from itertools import chain

import numpy as np
import numpy.typing as npt

SHINGLE_WORDS = 5
SIGNATURE_SIZE = 128  # a power of two: a shingle's bin is the low bits of its hash
BANDS = 32
ROWS = SIGNATURE_SIZE // BANDS
# Candidate pairs are checked this many at a time (bounds memory).
VERIFY_BATCH = 32768

Signatures = npt.NDArray[np.uint32]
Labels = npt.NDArray[np.int64]
_U64 = npt.NDArray[np.uint64]

PUNCTUATION = string.punctuation + "“”‘’«»…–—"
_PUNCTUATION_TO_SPACE = str.maketrans(PUNCTUATION, " " * len(PUNCTUATION))
_BIN_BITS = SIGNATURE_SIZE.bit_length() - 1
_EMPTY = np.uint64(1 << 32)
_ROTATION = np.uint64(0x9E3779B1)  # added per step a borrowed value travels, to keep bins apart
_MULTIPLIER = np.uint64(0x100000001B3)


def words_of(text: str) -> list[str]:
    """The text's words, normalised: what resemblance is measured on."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.casefold().translate(_PUNCTUATION_TO_SPACE).split()


def _mix(values: _U64) -> _U64:
    """MurmurHash3's 64-bit finaliser: every input bit affects every output bit."""
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


def signatures(texts: Sequence[Sequence[int]]) -> Signatures:
    """MinHash signatures (one row of `SIGNATURE_SIZE` values each) of texts given as word numbers.

    Every text needs at least `SHINGLE_WORDS` words.
    """
    count = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
    total = int(lengths.sum())
    words = np.fromiter(chain.from_iterable(texts), dtype=np.uint64, count=total)
    starts = np.cumsum(lengths) - lengths
    text_of = np.repeat(np.arange(count, dtype=np.int64), lengths)
    place = np.arange(total, dtype=np.int64) - starts[text_of]
    # A shingle starts wherever SHINGLE_WORDS words of the same text follow.
    valid = place[: total - SHINGLE_WORDS + 1] <= lengths[text_of[: total - SHINGLE_WORDS + 1]] - (
        SHINGLE_WORDS
    )
    shingles = words[: total - SHINGLE_WORDS + 1].copy()
    for offset in range(1, SHINGLE_WORDS):
        shingles = (shingles * _MULTIPLIER) ^ words[offset : total - SHINGLE_WORDS + 1 + offset]
    hashes = _mix(shingles[valid])
    owner = text_of[: total - SHINGLE_WORDS + 1][valid]
    slots = owner * SIGNATURE_SIZE + (hashes & np.uint64(SIGNATURE_SIZE - 1)).astype(np.int64)
    values = (hashes >> np.uint64(_BIN_BITS)) & np.uint64(0xFFFFFFFF)
    bins = np.full(count * SIGNATURE_SIZE, _EMPTY, dtype=np.uint64)
    np.minimum.at(bins, slots, values)
    return _densify(bins.reshape(count, SIGNATURE_SIZE))


def _densify(bins: _U64) -> Signatures:
    """Fill each empty bin from the next full one to its right (wrapping round)."""
    twice = np.concatenate([bins, bins], axis=1)
    columns = np.arange(2 * SIGNATURE_SIZE)
    full_at = np.where(twice != _EMPTY, columns, 2 * SIGNATURE_SIZE)
    next_full = np.minimum.accumulate(full_at[:, ::-1], axis=1)[:, ::-1][:, :SIGNATURE_SIZE]
    steps = (next_full - columns[:SIGNATURE_SIZE]).astype(np.uint64)
    borrowed = np.take_along_axis(twice, next_full, axis=1)
    return ((borrowed + steps * _ROTATION) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def similarity(first: Signatures, second: Signatures) -> npt.NDArray[np.float64]:
    """The estimated Jaccard similarity of texts row by row, from their signatures."""
    return np.asarray((first == second).mean(axis=-1), dtype=np.float64)


def _band_keys(rows: Signatures) -> _U64:
    """One 64-bit number per band of each signature."""
    banded = rows.reshape(len(rows), BANDS, ROWS).astype(np.uint64)
    keys = banded[:, :, 0]
    for row in range(1, ROWS):
        keys = (keys * _MULTIPLIER) ^ banded[:, :, row]
    return _mix(keys)


def _components(
    size: int, first: npt.NDArray[np.int64], second: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """For each of `size` nodes, the smallest node of its connected component."""
    labels = np.arange(size, dtype=np.int64)
    while True:
        lowest = np.minimum(labels[first], labels[second])
        updated = labels.copy()
        np.minimum.at(updated, first, lowest)
        np.minimum.at(updated, second, lowest)
        updated = updated[updated]  # pointer jumping: follow labels to their own labels
        if np.array_equal(updated, labels):
            return labels
        labels = updated


class WordNumbers(dict[str, int]):
    """A stable 32-bit number per word (CRC-32), computed once per distinct word."""

    def __missing__(self, word: str) -> int:
        value = self[word] = zlib.crc32(word.encode())
        return value


def near_duplicates(rows: Signatures, threshold: float) -> Labels:
    """For each signature, a label shared by its group: the index of the group's first text.

    Two texts are in one group when a chain of candidate pairs, each with estimated similarity
    at least `threshold`, links them.
    """
    size = len(rows)
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    band_keys = _band_keys(rows)
    pairs = []
    for band in range(BANDS):
        _, first_seen, which = np.unique(band_keys[:, band], return_index=True, return_inverse=True)
        partner = first_seen[which.reshape(-1)]
        here = np.flatnonzero(partner != np.arange(size))
        pairs.append(here * size + partner[here])
    candidates = np.unique(np.concatenate(pairs))
    first, second = candidates // size, candidates % size
    needed = math.ceil(threshold * SIGNATURE_SIZE - 1e-9)
    kept = np.zeros(len(candidates), dtype=bool)
    for start in range(0, len(candidates), VERIFY_BATCH):
        part = slice(start, start + VERIFY_BATCH)
        equal = (rows[first[part]] == rows[second[part]]).sum(axis=1)
        kept[part] = equal >= needed
    return _components(size, first[kept], second[kept])
