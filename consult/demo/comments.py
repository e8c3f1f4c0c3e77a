"""Comments on the open calls from the named demo people: approved ones, some with a reply, one
waiting in the organisers' queue and one they rejected (an advert)."""

from __future__ import annotations

from dataclasses import dataclass

from consult.comments.models import CommentStatus
from consult.demo.people import ORGANISER_EMAIL


@dataclass(frozen=True)
class CommentSpec:
    call: str  # slug
    author: str  # email
    days_ago: float
    body: str
    replies: tuple[tuple[str, float, str], ...] = ()  # (author email, hours later, body)
    status: CommentStatus = CommentStatus.APPROVED


COMMENTS = (
    CommentSpec(
        "quantum-standards-priorities",
        "t.becker@standards.example",
        8,
        "ISO/IEC JTC 3 has started work on quantum vocabulary and metrics. It would help if "
        "responses said where US–UK work could feed into it rather than run alongside it.",
    ),
    CommentSpec(
        "quantum-standards-priorities",
        "priya.shah@qubits.example",
        5,
        "Could the call say more about **application-level benchmarks**? Several of us read the "
        "second question as covering component metrics only.",
        replies=(
            (
                ORGANISER_EMAIL,
                20,
                "Thank you, Priya. Application-level benchmarks are in scope: please describe them "
                "in your answer to the first question. We will make that clearer in the guidance.",
            ),
        ),
    ),
    CommentSpec(
        "quantum-standards-priorities",
        "e.nakamura@university.example",
        3,
        "For sensing, traceability to the national measurement institutes matters far more than "
        "new standards. I hope the summary keeps sensing apart from computing.",
        replies=(
            (
                "d.okafor@hub.example",
                26,
                "Agreed. People who need quantum timing and navigation have very different needs "
                "from those buying computing time.",
            ),
        ),
    ),
    CommentSpec(
        "quantum-supply-chain-dependencies",
        "s.lindqvist@cryo.example",
        12,
        "Lead times for dilution refrigerators are 12 to 18 months across Europe too. Please "
        "include European suppliers in any mapping exercise.",
        replies=(
            (
                ORGANISER_EMAIL,
                18,
                "Thank you, Sofia. The mapping will cover suppliers wherever they are based, not "
                "only in the US and the UK.",
            ),
        ),
    ),
    CommentSpec(
        "quantum-supply-chain-dependencies",
        "m.oconnell@photonics.example",
        9,
        "Members of the Quantum Supply Chain Coalition will send a shared letter. We have asked "
        "everyone to add their own experience, so that each response says something new.",
    ),
    CommentSpec(
        "quantum-supply-chain-dependencies",
        "a.ramirez@energy.example",
        2,
        "National laboratories face the same helium-3 problem. A shared reserve across allied "
        "programmes deserves a question of its own.",
    ),
    CommentSpec(
        "quantum-workforce-skills",
        "r.campbell@openq.example",
        9,
        "Please think about people returning after a career break. Several of our members left "
        "quantum engineering and would come back to flexible roles.",
        replies=(
            (
                ORGANISER_EMAIL,
                30,
                "Thank you, Rhona. Returners are very much in scope; the last question asks what "
                "would make quantum careers more inclusive.",
            ),
        ),
    ),
    CommentSpec(
        "quantum-workforce-skills",
        "d.okafor@hub.example",
        4,
        "Technician apprenticeships are the biggest gap we see at the hub. We would be happy to "
        "share the results of our pilot at a roundtable.",
    ),
    CommentSpec(
        "quantum-workforce-skills",
        "e.nakamura@university.example",
        0.25,
        "Will the summary of responses say how many came from early-career researchers? Their "
        "view of the skills gap is often different from that of the people who hire them.",
        status=CommentStatus.PENDING,
    ),
    CommentSpec(
        "quantum-supply-chain-dependencies",
        "m.oconnell@photonics.example",
        6,
        "Discounted cryostats this month only: visit our shop and quote CRYO25 at checkout.",
        status=CommentStatus.REJECTED,
    ),
)
