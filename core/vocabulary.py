"""Closed lists of the domain: roles, sectors and countries (ISO 3166-1, the US and the UK first)."""

from __future__ import annotations

from enum import StrEnum
from functools import cache

import pycountry


class Role(StrEnum):
    STAKEHOLDER = "stakeholder"
    ORGANISER = "organiser"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Sector(StrEnum):
    GOVERNMENT = "government"
    ACADEMIA = "academia"
    INDUSTRY = "industry"
    CIVIL_SOCIETY = "civil_society"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


FIRST_COUNTRIES = ("US", "GB")


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """(alpha-2 code, name) pairs: the United States and the United Kingdom, then A to Z."""
    names = {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries}
    rest = sorted((code for code in names if code not in FIRST_COUNTRIES), key=names.__getitem__)
    return tuple((code, names[code]) for code in (*FIRST_COUNTRIES, *rest))


def country_name(code: str | None) -> str:
    return dict(countries()).get(code or "", "")
