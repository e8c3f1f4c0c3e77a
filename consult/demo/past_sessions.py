"""Sessions held in the last month, so that pages and feeds have a history."""

from __future__ import annotations

from datetime import time

from consult.demo.session_specs import ACADEMY, ROYAL_SOCIETY, SessionSpec, meeting_link
from consult.demo.specs import LONDON, NEW_YORK
from events.models import SessionKind

PAST_SESSIONS = (
    SessionSpec(
        slug="research-security-roundtable",
        title="Research security in international collaboration: roundtable",
        kind=SessionKind.ROUNDTABLE,
        topics=("research-security",),
        description="Researchers, research offices and security advisers discuss what the call "
        "on **research security in international quantum collaboration** has heard so far.\n\n"
        "- how due diligence on partners works in practice;\n"
        "- what protects intellectual property without closing laboratories to visitors;\n"
        "- where paperwork could be cut without weakening protection.",
        zone=LONDON,
        at=time(14, 0),
        minutes=120,
        days=-27,
        location=ROYAL_SOCIETY,
        capacity=30,
        call="research-security-in-collaboration",
        attendees=("r.campbell@openq.example",),
        registered=22,
        withdrawn=2,
    ),
    SessionSpec(
        slug="supply-chain-call-launch-webinar",
        title="Supply-chain dependencies: webinar on the call for input",
        kind=SessionKind.WEBINAR,
        topics=("supply-chain",),
        description="Officials from both governments introduce the call on **supply-chain "
        "dependencies in quantum technologies** and answer questions about it.\n\n"
        "The joint statement aims to build the global market and supply chain for QIST. This "
        "call asks where components, materials and skills are scarce. The recording and the "
        "questions asked are published afterwards.",
        zone=NEW_YORK,
        at=time(10, 0),
        minutes=60,
        days=-20,
        online_url=meeting_link("supply-chain-call-webinar"),
        call="quantum-supply-chain-dependencies",
        attendees=("m.oconnell@photonics.example", "s.lindqvist@cryo.example"),
        registered=64,
        withdrawn=3,
    ),
    SessionSpec(
        slug="workforce-call-webinar",
        title="Growing the quantum workforce: how to respond to the call",
        kind=SessionKind.WEBINAR,
        topics=("workforce",),
        description="A short webinar on the call about **skills, apprenticeships and exchange**: "
        "what we are asking, who should answer, and how the responses will be used.\n\n"
        "We particularly want to hear from employers, colleges and training providers who do "
        "not usually answer government consultations.",
        zone=LONDON,
        at=time(15, 0),
        minutes=60,
        days=-18,
        online_url=meeting_link("workforce-call-webinar"),
        call="quantum-workforce-skills",
        registered=47,
        withdrawn=1,
    ),
    SessionSpec(
        slug="mutual-access-facilities-workshop",
        title="Mutual access to quantum research facilities: workshop",
        kind=SessionKind.WORKSHOP,
        topics=("research-infrastructure", "research-security"),
        description="A working session on what the call on **mutual access to quantum research "
        "facilities** heard: booking, export controls, visas and data.\n\n"
        "Participants will draft a short list of changes that would let a researcher in one "
        "country use a facility in the other within weeks rather than months.",
        zone=NEW_YORK,
        at=time(9, 30),
        minutes=150,
        days=-13,
        location=ACADEMY,
        capacity=50,
        call="mutual-access-to-facilities",
        attendees=("e.nakamura@university.example", "a.ramirez@energy.example"),
        registered=38,
    ),
    SessionSpec(
        slug="post-quantum-readiness-what-we-heard",
        title="Readiness for post-quantum cryptography: what we heard",
        kind=SessionKind.BRIEFING,
        topics=("research-security", "standards"),
        description="A briefing on the outcome of the call on **readiness for post-quantum "
        "cryptography**: what organisations told us about their inventories, their suppliers "
        "and their timelines, and what both governments will do next.",
        zone=LONDON,
        at=time(15, 0),
        minutes=60,
        days=-6,
        online_url=meeting_link("post-quantum-readiness"),
        capacity=200,
        call="post-quantum-cryptography-readiness",
        registered=85,
    ),
)
