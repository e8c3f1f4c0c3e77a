"""Campaign detection at 10,000 and 100,000 responses: time, growth, a baseline, precision/recall.

    .venv/bin/python -m bench.campaigns            # or: .venv/bin/python bench/campaigns.py
    .venv/bin/python -m bench.campaigns 5000 50000 # other sizes

For each size it generates responses with planted form-letter campaigns (`consult.analysis.
synthetic`: about 40% of texts are edited copies of one letter per 1,000 texts), then times the
whole detection as the service runs it (signatures, LSH, verification, templates and what each
member added) and scores it against the planted truth (pairwise precision and recall).

Baselines, measured in the same run on the same texts:

- **exact hashing** of the normalised text, grouping identical texts: fast, and blind to edited
  copies (its recall shows what a near-duplicate method is for);
- **all pairs**: exact Jaccard similarity of 5-word shingles for every pair of a 2,000-text sample,
  timed and extrapolated to the full size by the square of the ratio (what the obvious method
  would cost; its grouping is not scored).
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from itertools import combinations

from bench.synthetic import Corpus, pairwise_scores, synthetic_corpus
from consult.analysis.campaigns import MIN_CAMPAIGN, MIN_WORDS, find_campaigns
from consult.analysis.minhash import SHINGLE_WORDS, words_of

SIZES = (10_000, 100_000)
SAMPLE = 2_000
SEED = 2026


def _exact_groups(corpus: Corpus) -> list[list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for key, text in corpus.texts:
        words = words_of(text)
        if len(words) >= MIN_WORDS:
            groups[" ".join(words)].append(key)
    return [keys for keys in groups.values() if len(keys) >= MIN_CAMPAIGN]


def _all_pairs_seconds(corpus: Corpus, sample: int) -> float:
    shingles = []
    for _, text in corpus.texts[:sample]:
        words = words_of(text)
        shingles.append({tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - 4)})
    started = time.perf_counter()
    for first, second in combinations(shingles, 2):
        union = len(first | second)
        _ = len(first & second) / union if union else 0.0
    return time.perf_counter() - started


def measure(size: int, pair_seconds: float | None) -> tuple[dict[str, float], float]:
    made = time.perf_counter()
    corpus = synthetic_corpus(size, seed=SEED)
    made = time.perf_counter() - made

    started = time.perf_counter()
    found = find_campaigns(corpus.texts)
    seconds = time.perf_counter() - started
    scores = pairwise_scores(corpus.truth, [[m.key for m in c.members] for c in found])

    started = time.perf_counter()
    exact = _exact_groups(corpus)
    exact_seconds = time.perf_counter() - started
    exact_scores = pairwise_scores(corpus.truth, exact)

    # Timed once, on the first corpus: the cost per pair does not depend on the size.
    if pair_seconds is None:
        sample = min(SAMPLE, size)
        pair_seconds = _all_pairs_seconds(corpus, sample) / (sample * (sample - 1) / 2)
    all_pairs = pair_seconds * size * (size - 1) / 2

    planted = len(corpus.letters)
    letters = sum(1 for c in corpus.truth.values() if c is not None)
    print(
        f"{size:>7,} texts ({letters:,} letters in {planted} campaigns; generated in {made:.1f} s)\n"
        f"  detection     {seconds:7.2f} s  {len(found):3} campaigns  "
        f"precision {scores.precision:.4f}  recall {scores.recall:.4f}\n"
        f"  exact hashing {exact_seconds:7.2f} s  {len(exact):3} campaigns  "
        f"precision {exact_scores.precision:.4f}  recall {exact_scores.recall:.4f}\n"
        f"  all pairs     {all_pairs:7.0f} s  (extrapolated from all pairs of {SAMPLE:,} texts)",
        flush=True,
    )
    return {"seconds": seconds, "exact": exact_seconds, "all_pairs": all_pairs}, pair_seconds


def main(argv: list[str]) -> None:
    sizes = [int(arg) for arg in argv] or list(SIZES)
    print(f"Campaign detection benchmark (Python {sys.version.split()[0]})", flush=True)
    results: dict[int, dict[str, float]] = {}
    pair_seconds = None
    for size in sizes:
        results[size], pair_seconds = measure(size, pair_seconds)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth = results[large]["seconds"] / results[small]["seconds"]
        print(
            f"growth {large:,}/{small:,}: {growth:.1f}× the time for {large / small:.0f}× the texts "
            f"(linear would be {large / small:.0f}×, quadratic {(large / small) ** 2:.0f}×)"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
