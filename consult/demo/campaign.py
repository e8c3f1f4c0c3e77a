"""The form-letter campaign: one template letter, sent with small edits by many coalition members.

Like a real campaign, each copy differs a little: a word or two swapped, two sentences in another
order, and a sentence or two of the member's own before or after the template. Near-duplicate
detection has to group these copies while keeping each member's own words visible.
"""

from __future__ import annotations

import random

from consult.demo.people import RespondentProfile
from core.vocabulary import country_name

COALITION = "Quantum Supply Chain Coalition"

TEMPLATE = (
    f"I am writing as a supporter of the {COALITION}.",
    "Quantum technologies depend on a small number of specialist suppliers, and today many "
    "critical components come from a single source.",
    "Dilution refrigerators, helium-3, specialty lasers and photonic integrated circuits are the "
    "clearest examples.",
    "One factory fire, export restriction or insolvency could halt research programmes on both "
    "sides of the Atlantic for a year or more.",
    "We urge the US and UK governments to fund a diversified cryogenics and photonics supply "
    "base, with at least two qualified suppliers for every critical component.",
    "Joint procurement and shared demand forecasts would give new suppliers the confidence to "
    "invest.",
    "Common component specifications, agreed with industry, would let laboratories switch "
    "suppliers without redesigning their experiments.",
    "Finally, we ask that export controls between our two countries be streamlined for these "
    "components, so that allies are not treated as strangers.",
    "A resilient supply chain is the foundation of a quantum-enabled economy.",
)

# The two sentences a member may swap: the template reads as well either way round.
SWAPPABLE = (5, 6)

# Words members change: (as written, as some members write it).
EDITS = (
    ("We urge", "We call on"),
    ("many critical components", "many essential components"),
    ("specialist suppliers", "specialised suppliers"),
    ("for a year or more", "for many months"),
    ("a diversified cryogenics", "a more diverse cryogenics"),
    ("the confidence to invest", "the certainty they need to invest"),
    ("be streamlined", "be simplified"),
    ("the foundation of", "the bedrock of"),
    ("Finally, we ask", "We also ask"),
    ("on both sides of the Atlantic", "in both our countries"),
)

# What members add of their own; {country} is where the member is based.
OWN_WORDS = (
    "I run a small photonics start-up and we waited eleven months for our last cryostat.",
    "Our laboratory lost most of a year when our only laser supplier stopped shipping.",
    "As a PhD student, I have watched experiments stall for want of a single replacement part.",
    "I have worked in cryogenic engineering for twenty years and have never seen lead times "
    "this long.",
    "Please treat this as a matter of economic security, not only of science.",
    "Thank you for running this consultation and for reading our letter.",
    "The price of helium-3 has risen sharply in the time I have been in the field.",
    "Our group in {country} buys almost all of its optical components from one vendor.",
    "We are a small company in {country} and cannot afford to hold a year of spare parts.",
    "My own research on trapped ions depends on two lasers that only one firm makes.",
    "I would be glad to give evidence at one of the roundtables.",
    "Universities feel this as much as companies do.",
    "I teach quantum engineering, and my students' projects are delayed by the same shortages.",
    "Our detector line depends on cryocoolers we cannot buy from anyone else.",
    "We support the coalition because no single company can fix this alone.",
    "In {country} the situation is the same, and we would welcome allied coordination.",
    "I am writing in a personal capacity.",
    "Please publish a summary of what you hear, so that suppliers can plan.",
    "Last winter a single delayed shipment of fibre components held up three of our projects.",
    "Investors ask us about supply risk at every funding round.",
)


# How members name their country mid-sentence ("a small company in the UK").
PLACES = {"US": "the US", "GB": "the UK", "NL": "the Netherlands"}


def form_letter(rng: random.Random, profile: RespondentProfile) -> str:
    """One member's copy of the letter: the template with one or two edits and their own words."""
    sentences = list(TEMPLATE)
    if rng.random() < 0.35:
        first, second = SWAPPABLE
        sentences[first], sentences[second] = sentences[second], sentences[first]
    text = " ".join(sentences)
    for written, edited in rng.sample(EDITS, rng.randint(1, 2)):
        text = text.replace(written, edited)
    place = PLACES.get(profile.country) or country_name(profile.country) or "our country"
    own = " ".join(s.format(country=place) for s in rng.sample(OWN_WORDS, rng.randint(1, 2)))
    if rng.random() < 0.5:
        return f"{own}\n\n{text}"
    return f"{text}\n\n{own}"
