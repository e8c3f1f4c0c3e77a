"""Demonstration data: the five topics, an admin, an organiser and stakeholders. Safe to load twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consult.accounts.passwords import hash_password
from consult.models import Person, Topic
from consult.vocabulary import Role, Sector

# Wording from the US–UK Joint Statement on Cooperation in QIST (shared/context).
TOPICS = (
    (
        "standards",
        "Standards",
        "Where standards or consortia are needed for quantum technologies, and how the US and UK align them.",
        "The joint statement commits both governments to facilitating interactions between government, "
        "academia, and the private sector to understand research trajectories in QIST, and to identify "
        "areas where standards or consortia are needed.\n\n"
        "Calls under this topic ask which measurements, interfaces and benchmarks most need common "
        "definitions, which bodies should lead, and how US and UK work can stay interoperable.",
    ),
    (
        "supply-chain",
        "Supply chain and market",
        "Building the global market and supply chain for quantum research and products.",
        "The partnership aims to build the global market and supply chain for QIST research and to "
        "support economic growth by engaging stakeholders, including industry consortia, research, "
        "policy and business security stakeholders, to grow a future QIST marketplace based on shared "
        "rules for engagement.\n\n"
        "We want to hear where components, materials and skills are scarce, and what would make "
        "transatlantic trade in quantum technologies easier and more secure.",
    ),
    (
        "research-security",
        "Research security",
        "Protecting research integrity, intellectual property and technology while staying open.",
        "Cooperation is to be underpinned by shared values such as freedom of inquiry, merit-based "
        "competition, openness and transparency, accountability and reciprocity, while promoting the "
        "protection of intellectual property, rigour and integrity in research, and research security.\n\n"
        "Calls under this topic cover regulatory, security, mutual access and technology protection "
        "considerations, and how to reduce administrative burdens on researchers.",
    ),
    (
        "workforce",
        "Workforce and skills",
        "Growing a skilled, inclusive quantum workforce through education, apprenticeships and exchange.",
        "A skilled workforce and wider awareness of applications are essential to QIST. Public "
        "awareness campaigns, STEM education, apprenticeships, interdisciplinary skills-building and "
        "reskilling programmes may encourage broad and inclusive participation.\n\n"
        "The partnership also promotes the exchange of people between quantum centres, hubs and "
        "universities to develop the next generation of scientists and engineers.",
    ),
    (
        "research-infrastructure",
        "Research infrastructure",
        "Jointly funded research, shared facilities, data sharing and multidisciplinary methods.",
        "Both governments intend to use existing bilateral and multilateral science and technology "
        "mechanisms, and new implementing pathways, to promote jointly funded and cooperative QIST "
        "research and development.\n\n"
        "Calls under this topic ask which facilities, testbeds and data should be shared, and how "
        "multidisciplinary research and the cross-fertilisation of methods can be supported.",
    ),
)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    role: Role
    organisation: str
    sector: Sector
    country: str


# Development passwords only: `consult demo` refuses to run when ENV=production.
DEMO_PASSWORDS = {
    Role.ADMIN: "admin-demo-entangled-photons",
    Role.ORGANISER: "organiser-demo-superposition",
    Role.STAKEHOLDER: "stakeholder-demo-qubit-lattice",
}

PEOPLE = (
    DemoPerson(
        "admin@consult.example",
        "Alex Morgan",
        Role.ADMIN,
        "Department for Science, Innovation and Technology",
        Sector.GOVERNMENT,
        "GB",
    ),
    DemoPerson(
        "organiser@consult.example",
        "Jordan Reyes",
        Role.ORGANISER,
        "Office of Science and Technology Policy",
        Sector.GOVERNMENT,
        "US",
    ),
    DemoPerson(
        "priya.shah@qubits.example",
        "Priya Shah",
        Role.STAKEHOLDER,
        "Qubit Foundry Ltd",
        Sector.INDUSTRY,
        "GB",
    ),
    DemoPerson(
        "m.oconnell@photonics.example",
        "Michael O'Connell",
        Role.STAKEHOLDER,
        "Atlantic Photonics Inc.",
        Sector.INDUSTRY,
        "US",
    ),
    DemoPerson(
        "e.nakamura@university.example",
        "Emi Nakamura",
        Role.STAKEHOLDER,
        "University of Boulder Quantum Center",
        Sector.ACADEMIA,
        "US",
    ),
    DemoPerson(
        "d.okafor@hub.example",
        "Daniel Okafor",
        Role.STAKEHOLDER,
        "National Quantum Computing Hub",
        Sector.ACADEMIA,
        "GB",
    ),
    DemoPerson(
        "s.lindqvist@cryo.example",
        "Sofia Lindqvist",
        Role.STAKEHOLDER,
        "Nordic Cryogenics AB",
        Sector.INDUSTRY,
        "SE",
    ),
    DemoPerson(
        "r.campbell@openq.example",
        "Rhona Campbell",
        Role.STAKEHOLDER,
        "Open Quantum Society",
        Sector.CIVIL_SOCIETY,
        "GB",
    ),
    DemoPerson(
        "t.becker@standards.example", "Tobias Becker", Role.STAKEHOLDER, "", Sector.OTHER, "DE"
    ),
    DemoPerson(
        "a.ramirez@energy.example",
        "Ana Ramirez",
        Role.STAKEHOLDER,
        "Department of Energy national laboratory",
        Sector.GOVERNMENT,
        "US",
    ),
)


async def load_demo(*, now: datetime, only_if_empty: bool = False) -> str:
    """Create or refresh the demonstration topics and people; return what a developer needs to know."""
    if only_if_empty and await Person.exists():
        return "The database already has people: demonstration data not loaded."
    for position, (slug, name, summary, description) in enumerate(TOPICS):
        await Topic.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "summary": summary,
                "description": description,
                "position": position,
            },
        )
    created = 0
    for demo in PEOPLE:
        _, was_created = await Person.get_or_create(
            email=demo.email,
            defaults={
                "display_name": demo.display_name,
                "role": demo.role,
                "organisation": demo.organisation,
                "sector": demo.sector,
                "country": demo.country,
                "verified_at": now,
                "password_hash": hash_password(DEMO_PASSWORDS[demo.role]),
            },
        )
        created += was_created
    return "\n".join(
        [
            f"Demonstration data loaded: {len(TOPICS)} topics, {created} new people ({len(PEOPLE)} in all).",
            "Development accounts (never use these passwords anywhere real):",
            f"  admin      admin@consult.example       {DEMO_PASSWORDS[Role.ADMIN]}",
            f"  organiser  organiser@consult.example   {DEMO_PASSWORDS[Role.ORGANISER]}",
            f"  stakeholder priya.shah@qubits.example  {DEMO_PASSWORDS[Role.STAKEHOLDER]}",
        ]
    )
