"""Account rules: signing up, verifying, signing in, resetting passwords, profiles and roles.

Services never import Starlette. Problems a person can fix come back as `FieldProblem`s naming
the form field, so the view can show them beside the field.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from base.settings import Limit
from consult.accounts import two_step
from consult.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from consult.accounts.sessions import end_sessions
from consult.accounts.tokens import (
    LinkClaims,
    LinkInvalid,
    Purpose,
    make_link_token,
    read_link_token,
)
from core.audit import record_action
from core.errors import FieldProblem
from core.models import Person
from core.notifications.compose import Site, send_soon, write
from core.notifications.models import Notification
from core.notifications.preferences import (
    MailChoice,
    choices_for,
    opt_outs_after,
    read_unsubscribe_token,
)
from core.ratelimit import claim, claim_all, forget, give_back
from core.timezones import zone_choices
from core.vocabulary import Role, Sector


@dataclass(frozen=True)
class ProfileDetails:
    display_name: str
    organisation: str
    sector: Sector
    country: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def find_person_by_email(email: str) -> Person | None:
    return await Person.get_or_none(email=normalise_email(email))


async def sign_up(
    email: str, password: str, details: ProfileDetails, *, role: Role = Role.STAKEHOLDER
) -> Person:
    """Create an unverified account; the email address is unique whatever its case."""
    person, _mail = await create_account(email, password, details, role=role)
    return person


async def create_account(
    email: str,
    password: str,
    details: ProfileDetails,
    *,
    role: Role = Role.STAKEHOLDER,
    site: Site | None = None,
    now: datetime | None = None,
) -> tuple[Person, bool]:
    """`sign_up`, and with `site` the mail with the link that confirms the address, written to
    the outbox in the same transaction as the account (an account never exists without its link
    on the way) and then sent at once. Returns the person and whether the mail went out now."""
    email = normalise_email(email)
    problem = password_problem(password, email=email)
    if problem:
        raise FieldProblem("password", problem)
    if await Person.exists(email=email):
        raise FieldProblem("email", _email_taken_message())
    password_hash = await hash_password(password)
    moment = now or datetime.now(UTC)
    try:
        async with in_transaction():
            person = await Person.create(
                email=email,
                password_hash=password_hash,
                role=role,
                display_name=details.display_name,
                organisation=details.organisation,
                sector=details.sector,
                country=details.country,
            )
            mail = None
            if site is not None:
                key = f"verify_email:{person.id}:first"
                mail = await _write_link_mail(site, person, "verify-email", key=key, now=moment)
    except IntegrityError:
        # Two sign-ups for one address at the same moment: the unique index decides.
        raise FieldProblem("email", _email_taken_message()) from None
    return person, site is not None and await send_soon(site, mail, now=moment)


# What each kind of link is mailed as, and the page it opens.
LINK_MAILS: dict[Purpose, tuple[str, str]] = {
    "verify-email": ("verify_email", "account:verify"),
    "reset-password": ("reset_password", "account:reset_password"),
}


async def send_link(site: Site, person: Person, purpose: Purpose, *, now: datetime) -> bool:
    """Mail `person` a new signed link for `purpose` (each link asked for is its own message);
    True when it went out now. If the mail server is down the dispatcher retries it."""
    key = f"{LINK_MAILS[purpose][0]}:{person.id}:{secrets.token_hex(8)}"
    mail = await _write_link_mail(site, person, purpose, key=key, now=now)
    return await send_soon(site, mail, now=now)


async def _write_link_mail(
    site: Site, person: Person, purpose: Purpose, *, key: str, now: datetime
) -> Notification | None:
    kind, route = LINK_MAILS[purpose]
    token = link_token(str(site.settings.secret_key), purpose, person, now)
    return await write(
        site,
        kind,
        person,
        key=key,
        due_at=now,
        link=site.link(route, token=token),
        hours=site.settings.verify_link_hours,
        minutes=site.settings.reset_link_minutes,
    )


def _email_taken_message() -> str:
    return "An account with this email address already exists. Sign in, or reset your password."


def link_token(secret: str, purpose: Purpose, person: Person, now: datetime) -> str:
    return make_link_token(
        secret, purpose, LinkClaims(person.id, person.email, person.auth_version, now)
    )


async def person_for_link(
    secret: str, purpose: Purpose, token: str, *, now: datetime, max_age: timedelta
) -> Person:
    """The person a genuine, unexpired, unused link was sent to (raises LinkInvalid/LinkExpired)."""
    claims = read_link_token(secret, purpose, token, now=now, max_age=max_age)
    person = await Person.get_or_none(id=claims.person_id, is_active=True)
    if person is None or person.email != claims.email or person.auth_version != claims.auth_version:
        raise LinkInvalid
    return person


async def verify_email(person: Person, *, now: datetime) -> bool:
    """Mark the address verified; False when it already was (the link is spent)."""
    updated = await Person.filter(id=person.id, verified_at__isnull=True).update(verified_at=now)
    if updated:
        person.verified_at = now
    return bool(updated)


async def authenticate(
    email: str, password: str, *, address: str, limit: Limit, ceiling: Limit, now: datetime
) -> Person | None:
    """The active person with these credentials, or None. Raises RateLimited, before the password
    is checked, once the attempts allowed are used up; at most that many are ever checked.

    Attempts count per account from one address (`limit`), per address across accounts (four
    times `limit`: colleagues share an address) and per account from everywhere (`ceiling`, which
    backs off). Someone guessing from elsewhere therefore cannot lock the owner out; only a guesser
    spread over many addresses reaches the ceiling, and then waits longer each time. A success
    does not count, and clears this account's count from this address.
    """
    email = normalise_email(email)
    here = f"signin:account:{email}:address:{address}"
    address_key, account_key = f"signin:address:{address}", f"signin:account:{email}"
    await claim_all([(here, limit), (address_key, limit.times(4)), (account_key, ceiling)], now=now)
    person = await Person.get_or_none(email=email, is_active=True)
    # An unknown email is verified too (against a dummy hash): timing does not reveal accounts.
    valid = await verify_password(person.password_hash if person else None, password)
    if person is None or not valid:
        return None
    await forget(here)
    await give_back(address_key, now=now)
    await give_back(account_key, now=now)
    if needs_rehash(person.password_hash):
        person.password_hash = await hash_password(password)
        await person.save(update_fields=["password_hash", "updated_at"])
    return person


async def count_attempt(key: str, limit: Limit, *, now: datetime) -> None:
    """Count one attempt at something limited (sign-up, sending a link); raise when over."""
    await claim(key, limit, now=now)


async def count_sign_up_attempt(*, address: str, email: str, limit: Limit, now: datetime) -> None:
    """Sign-ups are limited per network address and per email address being registered."""
    await claim_all(
        [
            (f"signup:address:{address}", limit),
            (f"signup:account:{normalise_email(email)}", limit),
        ],
        now=now,
    )


async def set_password(person: Person, new_password: str) -> None:
    """Change the password and end every session and outstanding reset link (a page that keeps
    its person signed in starts a new session)."""
    problem = password_problem(new_password, email=person.email)
    if problem:
        raise FieldProblem("password", problem)
    person.password_hash = await hash_password(new_password)
    person.auth_version += 1
    async with in_transaction():
        await person.save(update_fields=["password_hash", "auth_version", "updated_at"])
        await end_sessions(person)


async def change_password(person: Person, current_password: str, new_password: str) -> None:
    if not await verify_password(person.password_hash, current_password):
        raise FieldProblem("current_password", "Your current password is not right.")
    await set_password(person, new_password)


async def reset_password(person: Person, new_password: str, *, now: datetime) -> None:
    """Set a new password from a reset link; receiving the link also proves the address."""
    await set_password(person, new_password)
    if person.verified_at is None:
        await verify_email(person, now=now)


async def update_profile(person: Person, details: ProfileDetails, *, time_zone: str) -> Person:
    """Save the profile; the time zone must be one the zone picker offers."""
    if time_zone not in zone_choices():
        raise FieldProblem("time_zone", "Choose a time zone from the list")
    person.display_name = details.display_name
    person.organisation = details.organisation
    person.sector = details.sector
    person.country = details.country
    person.time_zone = time_zone
    await person.save(
        update_fields=[
            "display_name",
            "organisation",
            "sector",
            "country",
            "time_zone",
            "updated_at",
        ]
    )
    return person


async def save_mail_choices(person: Person, wanted: Collection[str]) -> list[str]:
    """Turn off the offered choices not in `wanted`; choices not offered to `person` keep their
    setting. Returns the opt-outs saved."""
    async with in_transaction():
        # Locked, so a one-click unsubscribe arriving at the same moment is not lost.
        current = await Person.select_for_update().get(id=person.id)
        opt_outs = opt_outs_after(current.mail_opt_outs, choices_for(current.role), wanted)
        current.mail_opt_outs = opt_outs
        await current.save(update_fields=["mail_opt_outs", "updated_at"])
    person.mail_opt_outs = opt_outs
    return opt_outs


async def unsubscribe_target(secret: str, token: str) -> tuple[Person, MailChoice] | None:
    """The person and choice a genuine unsubscribe token names; None for a forged token or a
    person who no longer exists."""
    found = read_unsubscribe_token(secret, token)
    if found is None:
        return None
    person_id, choice = found
    person = await Person.get_or_none(id=person_id)
    return (person, choice) if person is not None else None


async def turn_off_mail(person: Person, choice: MailChoice) -> bool:
    """Add `choice` to the person's opt-outs; False when it was already off (nothing changes)."""
    async with in_transaction():
        current = await Person.select_for_update().get(id=person.id)
        if choice.key in current.mail_opt_outs:
            return False
        current.mail_opt_outs = [*current.mail_opt_outs, choice.key]
        await current.save(update_fields=["mail_opt_outs", "updated_at"])
    person.mail_opt_outs = current.mail_opt_outs
    return True


async def change_role(actor: Person, person: Person, role: Role) -> bool:
    """An admin gives `person` a role, ending their sessions; False when nothing changed. Admins
    cannot demote themselves."""
    if not actor.is_admin:
        raise PermissionError("Only an admin may change roles.")
    if person.id == actor.id and role != Role.ADMIN:
        raise FieldProblem("role", "You cannot remove your own admin role. Ask another admin.")
    if person.role == role:
        return False
    previous = person.role
    async with in_transaction():
        person.role = role
        await person.save(update_fields=["role", "updated_at"])
        await end_sessions(person)  # what they may do changed: they sign in again
        await record_action(
            actor, "person.role_changed", person, {"from": str(previous), "to": str(role)}
        )
    return True


async def create_admin(email: str, password: str, display_name: str, *, now: datetime) -> Person:
    """Create a verified admin, or promote and re-password the existing account with this email."""
    person = await find_person_by_email(email)
    if person is None:
        person = await sign_up(
            email,
            password,
            ProfileDetails(display_name, "", Sector.GOVERNMENT, ""),
            role=Role.ADMIN,
        )
    else:
        await set_password(person, password)
        person.role = Role.ADMIN
        person.is_active = True
        await person.save(update_fields=["role", "is_active", "updated_at"])
        if person.uses_two_step:
            # Whoever runs this on the server is trusted: a locked-out admin gets back in.
            await two_step.turn_off_for(person, actor=None, via="cli")
    await verify_email(person, now=now)
    await record_action(None, "person.admin_created", person, {"via": "cli"})
    return person
