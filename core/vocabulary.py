"""Closed lists of the domain: roles, sectors and countries (ISO 3166-1, the US and the UK first)."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

import pycountry


class Labelled(StrEnum):
    """A closed list whose members carry the words people read: `OPEN = "open", "Opens soon"`.

    The value is what the database and the API store; `label` is what pages and forms show
    (by default the value with spaces, capitalised: "civil_society" reads "Civil society")."""

    label: str

    def __new__(cls, value: str, label: str | None = None) -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value.replace("_", " ").capitalize()
        return member


class Role(Labelled):
    STAKEHOLDER = "stakeholder"
    ORGANISER = "organiser"
    ADMIN = "admin"


class Sector(Labelled):
    GOVERNMENT = "government"
    ACADEMIA = "academia"
    INDUSTRY = "industry"
    CIVIL_SOCIETY = "civil_society"
    OTHER = "other"


FIRST_COUNTRIES = ("US", "GB")


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """(alpha-2 code, name) pairs: the United States and the United Kingdom, then A to Z."""
    names = {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries}
    rest = sorted((code for code in names if code not in FIRST_COUNTRIES), key=names.__getitem__)
    return tuple((code, names[code]) for code in (*FIRST_COUNTRIES, *rest))


def country_name(code: str | None) -> str:
    return dict(countries()).get(code or "", "")
