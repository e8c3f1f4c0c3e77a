"""Made-up responses with known form-letter campaigns, for the detector's tests and benchmark.

Each campaign is a template letter of three paragraphs; each copy of it is edited the way people
edit form letters: a few words swapped, a sentence or two of their own added (before, inside or
after the letter), sometimes a sentence left out, two sentences or two paragraphs in another order.
The independent texts share stock phrases ("Thank you for the opportunity to respond.") with each
other and with the letters, so that precision is tested as well as recall.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from math import comb

SYLLABLES = (
    "ka", "lo", "mi", "ren", "tas", "vo", "qui", "del", "nor", "pha", "sel", "tor", "um", "bra",
    "cy", "den", "fal", "gri", "hol", "jun", "lex", "mor", "nix", "ost", "pul", "rim", "sta",
)  # fmt: skip
STOCK = (
    "Thank you for the opportunity to respond to this call.",
    "We would be glad to discuss this further at a roundtable.",
    "I am writing in a personal capacity and not for my employer.",
    "Please publish a summary of the responses you receive.",
    "Our organisation works with partners in both the United States and the United Kingdom.",
    "Quantum technologies will matter for the economy and for national security.",
    "We support closer cooperation between the two countries on research and standards.",
    "Happy to give more detail on request.",
    "The partnership should listen to small companies as well as large ones.",
    "Skills and training deserve as much attention as hardware.",
    "Public funding should be predictable over several years.",
    "We agree with the aims set out in the call for input.",
)


@dataclass(frozen=True)
class Corpus:
    """Texts keyed 1…n; for each key its true campaign (None for an independent text) and the
    sentences its sender added to the letter; each campaign's letter as written."""

    texts: list[tuple[int, str]]
    truth: dict[int, int | None]
    own: dict[int, tuple[str, ...]]
    letters: dict[int, str]

    @property
    def campaign_sizes(self) -> Counter[int]:
        return Counter(c for c in self.truth.values() if c is not None)


class _Writer:
    def __init__(self, rng: random.Random, vocabulary: int = 6000) -> None:
        self.rng = rng
        words: set[str] = set()
        while len(words) < vocabulary:
            words.add("".join(rng.choices(SYLLABLES, k=rng.randint(1, 3))))
        self.words = sorted(words)
        rng.shuffle(self.words)
        # Zipf-like: a few words are very common, as in real prose.
        self.cumulative = list(accumulate(1 / (rank + 1) for rank in range(len(self.words))))

    def sentence(self) -> str:
        chosen = self.rng.choices(
            self.words, cum_weights=self.cumulative, k=self.rng.randint(7, 18)
        )
        return " ".join(chosen).capitalize() + "."

    def template(self) -> list[list[str]]:
        paragraphs = [[self.sentence() for _ in range(self.rng.randint(3, 5))] for _ in range(3)]
        paragraphs[-1].append(self.rng.choice(STOCK))
        return paragraphs

    def copy(self, template: list[list[str]]) -> tuple[str, tuple[str, ...]]:
        """An edited copy of the letter, and the sentences its sender added of their own."""
        rng = self.rng
        paragraphs = [list(p) for p in template]
        for _ in range(rng.randint(0, 4)):  # a word swapped here and there
            p = rng.choice(paragraphs)
            i = rng.randrange(len(p))
            words = p[i].split(" ")
            words[rng.randrange(len(words))] = rng.choice(self.words)
            p[i] = " ".join(words)
        if rng.random() < 0.3:  # a sentence left out
            p = rng.choice(paragraphs)
            if len(p) > 2:
                p.pop(rng.randrange(len(p)))
        if rng.random() < 0.3:  # two sentences the other way round
            p = rng.choice(paragraphs)
            i = rng.randrange(len(p) - 1)
            p[i], p[i + 1] = p[i + 1], p[i]
        if rng.random() < 0.15:  # two paragraphs the other way round
            i = rng.randrange(len(paragraphs) - 1)
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
        own = tuple(self.sentence() for _ in range(rng.randint(1, 2)))
        for sentence in own:
            where = rng.random()
            if where < 0.4:
                paragraphs.insert(0, [sentence])
            elif where < 0.8:
                paragraphs.append([sentence])
            else:
                p = rng.choice(paragraphs)
                p.insert(rng.randrange(len(p) + 1), sentence)
        return "\n\n".join(" ".join(p) for p in paragraphs), own

    def independent(self, quoting: list[list[str]] | None = None) -> str:
        """A text of its own; `quoting` a sentence or two of a letter, as people quote."""
        sentences = [
            self.rng.choice(STOCK) if self.rng.random() < 0.1 else self.sentence()
            for _ in range(self.rng.randint(4, 12))
        ]
        if quoting is not None:
            letter = [sentence for paragraph in quoting for sentence in paragraph]
            start = self.rng.randrange(len(letter) - 1)
            sentences.insert(
                self.rng.randrange(len(sentences)), " ".join(letter[start : start + 2])
            )
        return " ".join(sentences)


def synthetic_corpus(count: int, *, seed: int = 1, campaign_share: float = 0.4) -> Corpus:
    """`count` texts of which about `campaign_share` are copies of form letters.

    Campaign sizes vary from 10 to a few thousand: one campaign per 1,000 texts, sizes drawn
    in proportion to made-up popularity. Texts come in random order, as responses arrive.
    """
    rng = random.Random(seed)
    writer = _Writer(rng)
    campaigns = max(3, count // 1000)
    popularity = [rng.paretovariate(1.2) for _ in range(campaigns)]
    letters = round(count * campaign_share)
    sizes = [max(10, round(letters * p / sum(popularity))) for p in popularity]
    items: list[tuple[str, int | None, tuple[str, ...]]] = []
    templates = [writer.template() for _ in sizes]
    for number, (template, size) in enumerate(zip(templates, sizes, strict=True), start=1):
        for _ in range(size):
            text, own = writer.copy(template)
            items.append((text, number, own))
    # Some independent texts quote a letter: they must not join its campaign.
    for _ in range(max(0, count - len(items))):
        quoting = rng.choice(templates) if rng.random() < 0.05 else None
        items.append((writer.independent(quoting=quoting), None, ()))
    rng.shuffle(items)
    numbered = list(enumerate(items, start=1))
    return Corpus(
        texts=[(key, text) for key, (text, _, _) in numbered],
        truth={key: campaign for key, (_, campaign, _) in numbered},
        own={key: own for key, (_, _, own) in numbered if own},
        letters={
            number: "\n\n".join(" ".join(p) for p in template)
            for number, template in enumerate(templates, start=1)
        },
    )


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float


def pairwise_scores(truth: dict[int, int | None], found: list[list[int]]) -> Scores:
    """Pairwise precision and recall of campaign membership.

    A pair of texts is "together" when both belong to one campaign. Precision is the share of the
    pairs the detector put together that truly are; recall is the share of the true pairs the
    detector put together. (Counted from the contingency table, not by listing pairs.)
    """
    found_of = {key: number for number, keys in enumerate(found) for key in keys}
    both = Counter(
        (campaign, found_of[key])
        for key, campaign in truth.items()
        if campaign is not None and key in found_of
    )
    together = sum(comb(n, 2) for n in both.values())
    true_pairs = sum(
        comb(n, 2) for n in Counter(c for c in truth.values() if c is not None).values()
    )
    found_pairs = sum(comb(len(keys), 2) for keys in found)
    return Scores(
        precision=together / found_pairs if found_pairs else 1.0,
        recall=together / true_pairs if true_pairs else 1.0,
    )
