"""The calls that open soon: quantum networking testbeds (in 5 days) and shared marketplace rules
(in 14). Nobody has answered them yet, so their questions need no answers to draw on."""

from __future__ import annotations

from consult.demo.specs import (
    FILE,
    LONDON,
    LONG,
    MULTIPLE,
    NEW_YORK,
    SCALE,
    SHORT,
    SINGLE,
    CallSpec,
    QuestionSpec,
)

NETWORKING_TESTBEDS = CallSpec(
    slug="quantum-networking-testbeds",
    topic="research-infrastructure",
    title="Linking quantum networking testbeds across the Atlantic",
    summary="How US and UK quantum networking testbeds could be connected, shared and measured "
    "in the same way.",
    body="## Why we are asking\n\n"
    "Quantum networks promise new ways to distribute keys, link quantum computers and "
    "synchronise sensors. Testbeds in both countries are growing from laboratory links into "
    "metro-scale networks over deployed fibre. Linking them (first through common measures and "
    "shared data, later perhaps physically) would let researchers compare results and avoid "
    "duplicated effort.\n\n"
    "## What we want to know\n\n"
    "Which testbeds you use or run, what you would do with access to others, and which "
    "performance measures every testbed should report in the same way.",
    timezone=LONDON,
    opens_in_days=5,
    closes_in_days=47,
    questions=(
        QuestionSpec(
            LONG,
            "What would you do with access to a quantum networking testbed in the other country?",
            required=True,
            word_limit=500,
        ),
        QuestionSpec(
            MULTIPLE,
            "Which capabilities matter most to you?",
            "Choose all that apply.",
            options=(
                "Entanglement distribution over deployed fibre",
                "Quantum key distribution",
                "Quantum memories and repeaters",
                "Time and frequency transfer",
                "Interfaces to classical network management",
            ),
        ),
        QuestionSpec(
            SINGLE,
            "Do you run a testbed yourself?",
            required=True,
            options=("Yes, at metro scale", "Yes, in the laboratory", "No, but we use one", "No"),
        ),
        QuestionSpec(
            SCALE,
            "How useful would common performance measures be to you?",
            "1 means not useful; 5 means essential.",
        ),
        QuestionSpec(
            SHORT,
            "Which one measure should every testbed report?",
            "For example entanglement fidelity, key rate or uptime.",
        ),
    ),
)

MARKETPLACE_RULES = CallSpec(
    slug="shared-rules-quantum-marketplace",
    topic="supply-chain",
    title="Shared rules for a transatlantic quantum marketplace",
    summary="Which rules on procurement, export controls, investment screening and intellectual "
    "property should the US and UK align so that quantum companies can trade and collaborate.",
    body="## Why we are asking\n\n"
    "The joint statement looks to a future quantum marketplace **based on shared rules for "
    "engagement**. Companies tell us that differences in procurement rules, export controls, "
    "investment screening and the handling of intellectual property make it harder to sell and "
    "collaborate across the Atlantic.\n\n"
    "## What we want to know\n\n"
    "Which differences cost you most, which rules should be aligned first, and where differences "
    "are justified and should stay.",
    timezone=NEW_YORK,
    opens_in_days=14,
    closes_in_days=70,
    questions=(
        QuestionSpec(
            LONG,
            "Which differences between US and UK rules cost your organisation the most?",
            "Give examples and, where you can, an estimate of the cost in time or money.",
            required=True,
            word_limit=500,
        ),
        QuestionSpec(
            MULTIPLE,
            "Which rules should be aligned first?",
            "Choose all that apply.",
            required=True,
            options=(
                "Public procurement",
                "Export controls",
                "Investment screening",
                "Intellectual property and licensing",
                "Product certification",
            ),
        ),
        QuestionSpec(
            SINGLE,
            "How many people does your organisation employ?",
            options=("Fewer than 10", "10 to 49", "50 to 249", "250 or more"),
        ),
        QuestionSpec(
            SCALE,
            "How much do differences in rules limit your transatlantic business?",
            "1 means not at all; 5 means a great deal.",
        ),
        QuestionSpec(
            FILE,
            "Attach supporting evidence",
            "Optional. A report, data or a position paper as PDF, Word or a spreadsheet.",
        ),
    ),
)
