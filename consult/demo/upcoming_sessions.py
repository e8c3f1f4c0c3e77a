"""Sessions in the next three months: the one full session, the one cancelled session, and
others in Washington, in London and online.
"""

from __future__ import annotations

from datetime import time

from consult.demo.people import ADMIN_EMAIL, STAKEHOLDER_EMAIL
from consult.demo.session_specs import (
    ACADEMY,
    BRITISH_EMBASSY,
    EISENHOWER,
    GOVERNMENT,
    HOOVER,
    SAVOY_PLACE,
    US_EMBASSY,
    VICTORIA_STREET,
    SessionSpec,
    meeting_link,
)
from consult.demo.specs import LONDON, NEW_YORK
from events.models import SessionKind, Visibility

# The one full session: twelve places taken, four people waiting in order.
STANDARDS_ROUNDTABLE = SessionSpec(
    slug="standards-industry-roundtable",
    title="Quantum technology standards: industry roundtable",
    kind=SessionKind.ROUNDTABLE,
    topics=("standards",),
    description="A small roundtable for companies that build, buy or benchmark quantum "
    "hardware and software, held while the call on **standards priorities** is open.\n\n"
    "We will ask:\n\n"
    "- which benchmarks you already report to customers, and which you would drop;\n"
    "- where a common interface would lower your costs;\n"
    "- which bodies should lead, and where existing work is enough.\n\n"
    "What is said is summarised without attribution and read alongside the written responses.",
    zone=LONDON,
    at=time(14, 0),
    minutes=120,
    days=6,
    location=VICTORIA_STREET,
    capacity=12,
    call="quantum-standards-priorities",
    attendees=(STAKEHOLDER_EMAIL, "t.becker@standards.example"),
    registered=10,
    waitlisted=4,
)

UPCOMING_SESSIONS = (
    STANDARDS_ROUNDTABLE,
    SessionSpec(
        slug="cryogenics-photonics-supply-roundtable",
        title="Cryogenics and photonics supply: roundtable with suppliers",
        kind=SessionKind.ROUNDTABLE,
        topics=("supply-chain",),
        description="Suppliers of dilution refrigerators, helium-3, lasers and photonic "
        "integrated circuits compare lead times and bottlenecks with the teams mapping the "
        "supply chain, before the call on **supply-chain dependencies** closes.\n\n"
        "Suppliers outside the US and the UK are welcome.",
        zone=NEW_YORK,
        at=time(10, 30),
        minutes=90,
        days=7,
        online_url=meeting_link("cryogenics-photonics-roundtable"),
        capacity=30,
        call="quantum-supply-chain-dependencies",
        attendees=(STAKEHOLDER_EMAIL, "s.lindqvist@cryo.example", "m.oconnell@photonics.example"),
        registered=18,
        withdrawn=1,
    ),
    SessionSpec(
        slug="supply-chain-roundtable-washington",
        title="Quantum supply chain: roundtable in Washington",
        kind=SessionKind.ROUNDTABLE,
        topics=("supply-chain",),
        description="An in-person roundtable on supply-chain dependencies.\n\n"
        "**This session is cancelled.** It is replaced by the online roundtable with suppliers, "
        "so that people outside Washington can take part.",
        zone=NEW_YORK,
        at=time(10, 0),
        minutes=120,
        days=10,
        location=BRITISH_EMBASSY,
        capacity=25,
        cancelled_days_ago=3,
        registered=8,
    ),
    SessionSpec(
        slug="apprenticeships-reskilling-workshop",
        title="Apprenticeships and reskilling for quantum engineering: workshop",
        kind=SessionKind.WORKSHOP,
        topics=("workforce",),
        description="Employers, colleges and universities design the apprenticeships and "
        "reskilling programmes the joint statement calls for.\n\n"
        "- which technician and engineering roles are hardest to fill;\n"
        "- what a two-year apprenticeship in quantum engineering should cover;\n"
        "- how people move into the field from photonics, cryogenics and software.",
        zone=LONDON,
        at=time(14, 0),
        minutes=150,
        days=13,
        location=SAVOY_PLACE,
        capacity=60,
        call="quantum-workforce-skills",
        attendees=("r.campbell@openq.example",),
        registered=41,
        withdrawn=2,
    ),
    SessionSpec(
        slug="marketplace-call-launch-webinar",
        title="Shared rules for a transatlantic quantum marketplace: launch webinar",
        kind=SessionKind.WEBINAR,
        topics=("supply-chain",),
        description="The launch of the call on **shared rules for engagement** in a future "
        "QIST marketplace: procurement, export controls, and what a trusted supplier means.\n\n"
        "Bring your questions; the answers are added to the call's guidance.",
        zone=NEW_YORK,
        at=time(10, 0),
        minutes=60,
        days=15,
        online_url=meeting_link("marketplace-call-webinar"),
        call="shared-rules-quantum-marketplace",
        registered=48,
    ),
    SessionSpec(
        slug="networking-testbeds-scoping-workshop",
        title="Linking quantum networking testbeds: scoping workshop",
        kind=SessionKind.WORKSHOP,
        topics=("research-infrastructure",),
        description="Operators of quantum networking testbeds in both countries scope a "
        "transatlantic link, alongside the call on **networking testbeds**.\n\n"
        "1. What each testbed can offer to outside users today.\n"
        "2. Which interfaces and data formats a link would need.\n"
        "3. What a first joint experiment could be.",
        zone=NEW_YORK,
        at=time(9, 30),
        minutes=150,
        days=16,
        location=HOOVER,
        capacity=40,
        call="quantum-networking-testbeds",
        attendees=("e.nakamura@university.example", "d.okafor@hub.example"),
        registered=27,
        withdrawn=1,
    ),
    SessionSpec(
        slug="government-dialogue-on-qist",
        title="US–UK government-to-government dialogue on QIST",
        kind=SessionKind.BILATERAL_DIALOGUE,
        topics=("standards", "supply-chain", "research-security"),
        description="The bilateral government-to-government dialogue established by the joint "
        "statement, on the areas it identifies: jointly funded research, standards, the market "
        "and supply chain, and research security.\n\n"
        "Attendance is by invitation of the two governments.",
        zone=NEW_YORK,
        at=time(10, 0),
        minutes=120,
        days=20,
        location=EISENHOWER,
        capacity=30,
        visibility=Visibility.INVITATION,
        attendees=(ADMIN_EMAIL, "a.ramirez@energy.example"),
        registered=14,
        invited_sectors=GOVERNMENT,
    ),
    SessionSpec(
        slug="sensing-timing-policy-briefing",
        title="Quantum sensing, timing and navigation: briefing for policy officials",
        kind=SessionKind.BRIEFING,
        topics=("standards", "research-infrastructure"),
        description="A briefing for officials on quantum sensors, clocks and navigation: what is "
        "close to use, what it depends on, and why traceability to the national measurement "
        "institutes matters.\n\n"
        "By invitation.",
        zone=LONDON,
        at=time(14, 30),
        minutes=60,
        days=27,
        location=VICTORIA_STREET,
        capacity=25,
        visibility=Visibility.INVITATION,
        registered=11,
        invited_sectors=GOVERNMENT,
    ),
    SessionSpec(
        slug="quantum-for-societal-challenges-briefing",
        title="Quantum technologies for health, climate and resource efficiency",
        kind=SessionKind.BRIEFING,
        topics=("research-infrastructure", "workforce"),
        description="A public briefing on how QIST may help with **grand societal challenges** "
        "such as global health security, climate change and efficient resource use, and what "
        "it will take to get there: research, skills and shared facilities.",
        zone=NEW_YORK,
        at=time(11, 0),
        minutes=60,
        days=56,
        online_url=meeting_link("societal-challenges-briefing"),
        capacity=200,
        registered=57,
        withdrawn=2,
    ),
    SessionSpec(
        slug="shared-facilities-data-workshop",
        title="Shared facilities, testbeds and data: research infrastructure workshop",
        kind=SessionKind.WORKSHOP,
        topics=("research-infrastructure",),
        description="Which facilities, testbeds and data should the two countries share, and "
        "how? The joint statement promotes **jointly funded and cooperative QIST research** and "
        "data sharing as appropriate.\n\n"
        "- access models for user facilities;\n"
        "- common formats and licences for data;\n"
        "- multidisciplinary methods that need shared infrastructure.",
        zone=NEW_YORK,
        at=time(9, 30),
        minutes=150,
        days=41,
        location=ACADEMY,
        capacity=80,
        registered=33,
    ),
    SessionSpec(
        slug="quantum-centres-exchange-roundtable",
        title="Exchanging people between quantum centres and hubs: roundtable",
        kind=SessionKind.ROUNDTABLE,
        topics=("workforce", "research-infrastructure"),
        description="Directors of quantum centres, hubs and university departments discuss "
        "**the exchange of people** the joint statement promotes: secondments, joint "
        "studentships and visiting fellowships, and what stands in their way.",
        zone=LONDON,
        at=time(14, 0),
        minutes=120,
        days=48,
        location=US_EMBASSY,
        capacity=20,
        registered=9,
    ),
    SessionSpec(
        slug="research-security-guidance-webinar",
        title="Research security guidance for international partnerships",
        kind=SessionKind.WEBINAR,
        topics=("research-security",),
        description="The two governments present their joint guidance on research security for "
        "quantum partnerships: what to check before collaborating, how to protect intellectual "
        "property, and which administrative burdens the guidance removes.",
        zone=NEW_YORK,
        at=time(10, 0),
        minutes=60,
        days=62,
        online_url=meeting_link("research-security-guidance"),
        registered=36,
    ),
)
