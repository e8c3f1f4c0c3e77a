"""Two-step sign-in: an authenticator app's six-digit code after the password, with one-use
recovery codes for a lost phone. The rules live here; the pages are in two_step_views.py.

A code is accepted once: the last time step used is kept, and a code of that step or an earlier
one is refused, even on another process (a conditional UPDATE decides). Codes are limited per
attempt (one pending sign-in) and per account, claimed before a code is checked, so a burst of
codes is checked at most the limit's number of times.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from base.settings import Limit
from consult.accounts import totp
from consult.accounts.passwords import verify_password
from consult.accounts.sealing import seal, unseal
from consult.accounts.sessions import end_sessions
from core.audit import record_action
from core.errors import Refused
from core.models import Person, RecoveryCode
from core.ratelimit import claim_all, forget, give_back
from core.vocabulary import Role

ISSUER = "QIST Consult"
SEALED_FOR = "two-step-key"
RECOVERY_CODES = 10
RECOVERY_CODE_BYTES = 15  # 120 bits: 24 base32 characters
# Roles that change what the public sees: with TWO_STEP_REQUIRED=on they must use two-step.
REQUIRED_OF = frozenset({Role.ORGANISER, Role.ADMIN})


class WrongCode(Refused):
    """The code is not the app's current one, was used before, or is not a recovery code."""

    default_message = "That code is not right."


@dataclass(frozen=True)
class Enrolment:
    """A key offered to a person who has not confirmed it yet (kept sealed in their session)."""

    key: str
    sealed: str
    uri: str

    @property
    def grouped_key(self) -> str:
        return totp.grouped(self.key)


def must_set_up(person: Person, *, required: bool) -> bool:
    """Whether `person` must turn two-step sign-in on before using the workspace."""
    return required and person.role in REQUIRED_OF and not person.uses_two_step


def _enrolment(key: str, sealed: str, person: Person) -> Enrolment:
    return Enrolment(key, sealed, totp.provisioning_uri(key, account=person.email, issuer=ISSUER))


def new_enrolment(secret_key: str, person: Person) -> Enrolment:
    key = totp.new_secret()
    return _enrolment(key, seal(secret_key, SEALED_FOR, key), person)


def reopen_enrolment(secret_key: str, person: Person, sealed: object) -> Enrolment | None:
    """The enrolment whose sealed key the session kept, or None if there is none or it is forged."""
    if not isinstance(sealed, str):
        return None
    key = unseal(secret_key, SEALED_FOR, sealed)
    return None if key is None else _enrolment(key, sealed, person)


async def turn_on(
    secret_key: str, person: Person, enrolment: Enrolment, code: str, *, now: datetime
) -> list[str]:
    """Keep the key once the person typed its current code, ending the person's sessions (they
    gave only the password); returns their new recovery codes."""
    step = totp.matching_step(enrolment.key, code, now)
    if step is None:
        raise WrongCode
    async with in_transaction():
        person.two_step_key = seal(secret_key, SEALED_FOR, enrolment.key)
        person.two_step_since = now
        person.two_step_last_step = step
        await person.save(
            update_fields=["two_step_key", "two_step_since", "two_step_last_step", "updated_at"]
        )
        codes = await _replace_recovery_codes(person, now)
        await end_sessions(person)  # the page starts a new session that gave the code
        await record_action(person, "person.two_step_on", person)
    return codes


async def turn_off(person: Person, password: str) -> None:
    """The person turns it off themselves: their password first."""
    if not await verify_password(person.password_hash, password):
        raise WrongCode
    await _forget(person, person, {})


async def turn_off_for(person: Person, *, actor: Person | None, via: str) -> None:
    """For someone who lost both their phone and their recovery codes: an admin on the people
    page (`via="admin"`), or the server's operator with `consult createadmin` (`via="cli"`)."""
    await _forget(person, actor, {"by": via})


async def _forget(person: Person, actor: Person | None, detail: dict[str, str]) -> None:
    """Forget the key and the recovery codes, end the person's sessions, and say who did it in
    the audit log."""
    async with in_transaction():
        person.two_step_key = None
        person.two_step_since = None
        person.two_step_last_step = 0
        await person.save(
            update_fields=["two_step_key", "two_step_since", "two_step_last_step", "updated_at"]
        )
        await RecoveryCode.filter(person_id=person.id).delete()
        await end_sessions(person)
        await record_action(actor, "person.two_step_off", person, detail)


async def renew_recovery_codes(person: Person, *, now: datetime) -> list[str]:
    async with in_transaction():
        codes = await _replace_recovery_codes(person, now)
        await record_action(person, "person.recovery_codes_renewed", person)
    return codes


async def recovery_codes_left(person: Person) -> int:
    return await RecoveryCode.filter(person_id=person.id, used_at=None).count()


async def check_code(
    secret_key: str,
    person: Person,
    code: str,
    *,
    attempt: str,
    limit: Limit,
    ceiling: Limit,
    now: datetime,
) -> str:
    """Accept the app's current code or an unused recovery code, once. Returns "app" or
    "recovery"; raises WrongCode or RateLimited. Codes count per `attempt` (a pending sign-in,
    with `limit`) and per account (`ceiling`, which backs off): a new pending sign-in needs the
    password again, and however many a guesser starts, the account's ceiling holds."""
    attempt_key, account_key = f"two-step:{attempt}", f"two-step:account:{person.id}"
    await claim_all([(attempt_key, limit), (account_key, ceiling)], now=now)
    used = await _use_app_code(secret_key, person, code, now) or await _use_recovery_code(
        person, code, now
    )
    if used is None:
        raise WrongCode
    await forget(attempt_key)
    await give_back(account_key, now=now)
    return used


async def _use_app_code(secret_key: str, person: Person, code: str, now: datetime) -> str | None:
    key = unseal(secret_key, SEALED_FOR, person.two_step_key or "")
    step = totp.matching_step(key, code, now) if key else None
    if step is None:
        return None
    # Only one request can move the last step forward past this one: a replayed code loses.
    moved = await Person.filter(Q(id=person.id) & Q(two_step_last_step__lt=step)).update(
        two_step_last_step=step
    )
    if not moved:
        return None
    person.two_step_last_step = step
    return "app"


async def _use_recovery_code(person: Person, code: str, now: datetime) -> str | None:
    normalised = normalise_recovery_code(code)
    if normalised is None:
        return None
    found = await RecoveryCode.get_or_none(
        person_id=person.id, code_hash=_digest(normalised), used_at=None
    )
    if found is None:
        return None
    if not await RecoveryCode.filter(id=found.id, used_at=None).update(used_at=now):
        return None  # used by a request that arrived at the same moment
    await record_action(person, "person.recovery_code_used", person)
    return "recovery"


def normalise_recovery_code(text: str) -> str | None:
    """A recovery code as typed (any case, spaces or hyphens) in its stored form, or None."""
    cleaned = "".join(ch for ch in text.lower() if ch not in " -")
    if (
        len(cleaned) != RECOVERY_CODE_BYTES * 8 // 5
        or not cleaned.isascii()
        or not cleaned.isalnum()
    ):
        return None
    return cleaned


def _new_recovery_code() -> str:
    return base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode("ascii").lower()


def shown(code: str) -> str:
    """A recovery code in groups of four, as the page shows it."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


async def _replace_recovery_codes(person: Person, now: datetime) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    await RecoveryCode.filter(person_id=person.id).delete()
    await RecoveryCode.bulk_create(
        [RecoveryCode(person_id=person.id, code_hash=_digest(c), created_at=now) for c in codes]
    )
    return [shown(code) for code in codes]
