"""Signed, expiring, single-use links for email verification and password reset.

The token carries the person's id, email and `auth_version`. A reset raises `auth_version`, so a
reset link works once; a verification link is spent once `verified_at` is set; changing the
email address invalidates links sent to the old one. Expiry is checked against our own clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from itsdangerous import BadSignature, URLSafeSerializer

from core.errors import Refused

Purpose = Literal["verify-email", "reset-password"]


class LinkInvalid(Refused):
    """The link was altered, is for something else, or has already been used."""

    default_message = "This link is not valid: it was changed, is for something else, or was used."


class LinkExpired(Refused):
    """The link was genuine but is too old."""

    default_message = "This link has expired."


@dataclass(frozen=True)
class LinkClaims:
    person_id: int
    email: str
    auth_version: int
    issued_at: datetime


def make_link_token(secret: str, purpose: Purpose, claims: LinkClaims) -> str:
    payload = [
        claims.person_id,
        claims.email,
        claims.auth_version,
        int(claims.issued_at.timestamp()),
    ]
    return URLSafeSerializer(secret, salt=purpose).dumps(payload)


def read_link_token(
    secret: str, purpose: Purpose, token: str, *, now: datetime, max_age: timedelta
) -> LinkClaims:
    try:
        person_id, email, auth_version, issued = URLSafeSerializer(secret, salt=purpose).loads(
            token
        )
        issued_at = datetime.fromtimestamp(int(issued), tz=now.tzinfo)
        claims = LinkClaims(int(person_id), str(email), int(auth_version), issued_at)
    except (BadSignature, ValueError, TypeError, OverflowError):
        raise LinkInvalid from None
    if now - claims.issued_at > max_age:
        raise LinkExpired
    return claims
