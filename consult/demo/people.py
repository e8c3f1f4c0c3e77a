"""Demonstration people: named accounts with printed passwords, and hundreds of generated respondents.

Respondents are made up, and so are their organisations: no real body's name is put to words it
never wrote. Every respondent shares the stakeholder password, hashed once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from core.vocabulary import Role, Sector


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


ADMIN_EMAIL = "admin@consult.example"
ORGANISER_EMAIL = "organiser@consult.example"
STAKEHOLDER_EMAIL = "priya.shah@qubits.example"

RESPONDENT_COUNT = 200


def respondent_email(number: int) -> str:
    return f"respondent-{number:04d}@demo.example"


# (name, sector, country). Fictional bodies, mostly in the US and the UK as the real responses are.
ORGANISATIONS: tuple[tuple[str, Sector, str], ...] = (
    ("Kestrel Photonics Ltd", Sector.INDUSTRY, "GB"),
    ("Lattice Microwave Systems Ltd", Sector.INDUSTRY, "GB"),
    ("Ironbridge Quantum Software Ltd", Sector.INDUSTRY, "GB"),
    ("Aurora Sensing Ltd", Sector.INDUSTRY, "GB"),
    ("Quill Cryptography Ltd", Sector.INDUSTRY, "GB"),
    ("Fenland Cryogenic Engineering Ltd", Sector.INDUSTRY, "GB"),
    ("Meridian Cryogenics Inc.", Sector.INDUSTRY, "US"),
    ("Bluewater Quantum LLC", Sector.INDUSTRY, "US"),
    ("Halcyon Qubits Inc.", Sector.INDUSTRY, "US"),
    ("Cobalt Ion Traps Inc.", Sector.INDUSTRY, "US"),
    ("Silverline Secure Communications Inc.", Sector.INDUSTRY, "US"),
    ("Prairie Photonic Circuits Inc.", Sector.INDUSTRY, "US"),
    ("Rheinfeld Laser GmbH", Sector.INDUSTRY, "DE"),
    ("Lumière Quantique SAS", Sector.INDUSTRY, "FR"),
    ("Sakura Photonics KK", Sector.INDUSTRY, "JP"),
    ("Maple Quantum Networks Inc.", Sector.INDUSTRY, "CA"),
    ("Southern Cross Quantum Pty Ltd", Sector.INDUSTRY, "AU"),
    ("Delta Cryo BV", Sector.INDUSTRY, "NL"),
    ("Fjord Detectors AB", Sector.INDUSTRY, "SE"),
    ("Deccan Quantum Labs Pvt Ltd", Sector.INDUSTRY, "IN"),
    ("Northbridge University", Sector.ACADEMIA, "GB"),
    ("University of Westmoor", Sector.ACADEMIA, "GB"),
    ("Glenmoor University", Sector.ACADEMIA, "GB"),
    ("Kingsmere College", Sector.ACADEMIA, "GB"),
    ("Severnside Quantum Technology Hub", Sector.ACADEMIA, "GB"),
    ("Harbourside Institute of Technology", Sector.ACADEMIA, "US"),
    ("Lakeshore State University", Sector.ACADEMIA, "US"),
    ("Pinecrest University", Sector.ACADEMIA, "US"),
    ("Atlantic Polytechnic Institute", Sector.ACADEMIA, "US"),
    ("Mesa Verde Center for Quantum Science", Sector.ACADEMIA, "US"),
    ("Rheinfeld Technical University", Sector.ACADEMIA, "DE"),
    ("Université de Valmont", Sector.ACADEMIA, "FR"),
    ("Kansai Institute of Quantum Science", Sector.ACADEMIA, "JP"),
    ("University of Maplewood", Sector.ACADEMIA, "CA"),
    ("Coral Coast University", Sector.ACADEMIA, "AU"),
    ("Polder University of Technology", Sector.ACADEMIA, "NL"),
    ("Western Ghats Institute of Science", Sector.ACADEMIA, "IN"),
    ("Northern Regional Innovation Agency", Sector.GOVERNMENT, "GB"),
    ("National Metrology Partnership", Sector.GOVERNMENT, "GB"),
    ("State Quantum Initiative Office", Sector.GOVERNMENT, "US"),
    ("Capital Region Economic Development Office", Sector.GOVERNMENT, "US"),
    ("Federal Laboratory Technology Transfer Office", Sector.GOVERNMENT, "US"),
    ("Open Quantum Society", Sector.CIVIL_SOCIETY, "GB"),
    ("Quantum Skills Network", Sector.CIVIL_SOCIETY, "GB"),
    ("Privacy First Alliance", Sector.CIVIL_SOCIETY, "GB"),
    ("Citizens for Responsible Technology", Sector.CIVIL_SOCIETY, "US"),
    ("Women in Quantum Engineering", Sector.CIVIL_SOCIETY, "US"),
    ("Atlantic Venture Partners", Sector.OTHER, "US"),
    ("Harbour Law LLP", Sector.OTHER, "GB"),
    ("Quantum Standards Consultancy", Sector.OTHER, "DE"),
)

FIRST_NAMES = (
    "Aisha", "Alistair", "Amara", "Ben", "Bethan", "Carlos", "Catriona", "Chen", "Chloe", "Daniela",
    "David", "Deepa", "Eleanor", "Elijah", "Fatima", "Finn", "Gareth", "Grace", "Hannah", "Hiroshi",
    "Ibrahim", "Imogen", "Isaac", "Jamal", "Jessica", "Joanna", "Kai", "Kemi", "Laura", "Liam",
    "Lucía", "Marcus", "Maya", "Mei", "Mohammed", "Nadia", "Nathan", "Niamh", "Oliver", "Olumide",
    "Owen", "Rachel", "Rajesh", "Rosa", "Ruth", "Samuel", "Sarah", "Siobhan", "Tariq", "Thomas",
    "Uma", "Victoria", "Wei", "William", "Yasmin", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Anderson", "Bauer", "Bennett", "Brown", "Chandra", "Chen", "Clarke", "Davies",
    "Dubois", "Evans", "Fernández", "Fitzgerald", "Garcia", "Gupta", "Hall", "Harris", "Hughes",
    "Ito", "Jackson", "Jensen", "Johnson", "Kaur", "Kelly", "Kim", "Kowalski", "Lee", "Lewis",
    "MacLeod", "Martin", "Mensah", "Miller", "Morgan", "Murphy", "Nguyen", "Novak", "O'Brien",
    "Okonkwo", "Patel", "Price", "Quinn", "Robinson", "Rossi", "Sato", "Schmidt", "Singh",
    "Sullivan", "Taylor", "Thompson", "Van Dijk", "Walker", "Williams", "Wilson", "Wright", "Young",
)  # fmt: skip

# Bodies in the two partner countries count double, so most respondents are American or British.
_WEIGHTS = [2 if country in ("US", "GB") else 1 for _, _, country in ORGANISATIONS]

# People who answer without an organisation: mostly in the two partner countries.
UNAFFILIATED_COUNTRIES = ("US", "US", "US", "GB", "GB", "GB", "CA", "IE", "AU", "DE", "CH")
UNAFFILIATED_SECTORS = (Sector.OTHER, Sector.OTHER, Sector.CIVIL_SOCIETY, Sector.ACADEMIA)


@dataclass(frozen=True)
class RespondentProfile:
    email: str
    display_name: str
    organisation: str
    sector: Sector
    country: str


def respondent_profiles(
    rng: random.Random, count: int = RESPONDENT_COUNT
) -> list[RespondentProfile]:
    """`count` made-up respondents with distinct names, most of them with an organisation."""
    names = rng.sample([f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES], count)
    # Every organisation has at least one person, so every country on the list answers.
    first = rng.sample(ORGANISATIONS, len(ORGANISATIONS))
    profiles = []
    for number, name in enumerate(names, start=1):
        if number <= len(first):
            organisation, sector, country = first[number - 1]
        elif rng.random() < 0.8:
            organisation, sector, country = rng.choices(ORGANISATIONS, _WEIGHTS)[0]
        else:
            organisation = ""
            sector = rng.choice(UNAFFILIATED_SECTORS)
            country = rng.choice(UNAFFILIATED_COUNTRIES)
        profiles.append(
            RespondentProfile(respondent_email(number), name, organisation, sector, country)
        )
    return profiles
