"""API tokens: issued to a verified account that names its organisation, stored hashed, revocable.

A token acts for its account and so for the organisation the account names: it can submit and
change that account's responses and nothing else. The token itself is shown once, when issued;
only its SHA-256 is kept (tokens are long random values, so a fast hash is enough to make a
stolen table useless).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from consult.api.models import ApiToken
from core.audit import record_action
from core.errors import Refused
from core.models import Person

TOKEN_PREFIX = "qc_"  # noqa: S105 -- marks our tokens (for secret scanners), not a secret
SHOWN_CHARACTERS = 10
MAX_TOKENS = 10  # live tokens per account: enough for a few systems, few enough to review


class CannotIssue(Refused):
    """The account may not hold API tokens (yet); the message says what to do."""

    status_code = 403


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_token(person: Person, name: str) -> IssuedToken:
    if not person.is_verified:
        raise CannotIssue("Confirm your email address before you create an API token.")
    if not person.organisation:
        raise CannotIssue(
            "API tokens act for an organisation: add your organisation to your profile first."
        )
    if await ApiToken.filter(person_id=person.id, revoked_at__isnull=True).count() >= MAX_TOKENS:
        raise CannotIssue(f"You have {MAX_TOKENS} tokens already: revoke one you no longer use.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = await ApiToken.create(
        person=person,
        name=name,
        prefix=secret[:SHOWN_CHARACTERS],
        token_hash=hash_token(secret),
    )
    await record_action(person, "api_token.issue", token, {"name": name})
    return IssuedToken(token, secret)


async def tokens_of(person: Person) -> list[ApiToken]:
    return await ApiToken.filter(person_id=person.id).order_by("-created_at", "-id")


async def revoke_token(person: Person, token_id: int, *, now: datetime) -> bool:
    """Revoke one of this person's live tokens; False when there is no such token."""
    token = await ApiToken.get_or_none(id=token_id, person_id=person.id, revoked_at__isnull=True)
    if token is None:
        return False
    revoked = await ApiToken.filter(id=token.id, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        await record_action(person, "api_token.revoke", token, {"name": token.name})
    return bool(revoked)


async def authenticate(secret: str, *, now: datetime) -> ApiToken | None:
    """The live token of an active person (its `person` loaded), or None; notes its use."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = await ApiToken.get_or_none(
        token_hash=hash_token(secret), revoked_at__isnull=True
    ).select_related("person")
    if token is None or not token.person.is_active:
        return None
    await ApiToken.filter(id=token.id).update(last_used_at=now)
    return token
