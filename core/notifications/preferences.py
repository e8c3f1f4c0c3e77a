"""Which mail a person may turn off, and the one-click unsubscribe links that do it (RFC 8058).

Mail that answers something the person just did (verification, password reset, the copy of a
response, a place off the waitlist) always goes. Everything the service sends on its own initiative
belongs to a choice the person can turn off on their notification-settings page or with the
`List-Unsubscribe` link of any such message, which turns off that choice alone.

An unsubscribe link carries an HMAC of the person and the choice under the service's secret: it
needs no sign-in (mail providers POST to it without cookies) and cannot be forged for someone else.
It never expires, so a message read months later still unsubscribes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from core.vocabulary import Role


@dataclass(frozen=True)
class MailChoice:
    key: str
    label: str
    hint: str
    kinds: frozenset[str]  # Notification.kind values this choice covers
    for_organisers: bool = False  # offered on the settings page to organisers and admins only


MAIL_CHOICES: tuple[MailChoice, ...] = (
    MailChoice(
        "deadline_reminders",
        "Reminders before a call closes",
        "48 hours and 24 hours before the deadline, when you have a response you have not sent.",
        frozenset({"deadline_48h", "deadline_24h"}),
    ),
    MailChoice(
        "session_invitations",
        "Calendar invitations for sessions",
        "An invitation your calendar can add when you register, and updates when a session "
        "changes or is cancelled.",
        frozenset({"session_invitation", "place_given_up", "session_changed", "session_cancelled"}),
    ),
    MailChoice(
        "session_reminders",
        "Reminders before sessions",
        "24 hours and 1 hour before each session you registered for.",
        frozenset({"session_24h", "session_1h"}),
    ),
    MailChoice(
        "organiser_digest",
        "Daily digest for organisers",
        "At 08:00 in your time zone: new responses, and comments waiting for moderation, "
        "on the calls you run.",
        frozenset({"organiser_digest"}),
        for_organisers=True,
    ),
    MailChoice(
        "call_updates",
        "When a call you run opens or closes",
        "A note to the call's team with the number of responses.",
        frozenset({"call_opened", "call_closed"}),
        for_organisers=True,
    ),
)

CHOICES_BY_KEY = {choice.key: choice for choice in MAIL_CHOICES}
CHOICE_OF_KIND = {kind: choice for choice in MAIL_CHOICES for kind in choice.kinds}


def choice_of(kind: str) -> MailChoice | None:
    """The choice that covers a kind of message; None for mail that always goes."""
    return CHOICE_OF_KIND.get(kind)


def wants(opt_outs: list[str], kind: str) -> bool:
    """Whether someone who turned off `opt_outs` still gets messages of `kind`."""
    choice = choice_of(kind)
    return choice is None or choice.key not in opt_outs


def choices_for(role: Role) -> tuple[MailChoice, ...]:
    """The choices a person with `role` is offered on their notification-settings page."""
    organiser = role in (Role.ORGANISER, Role.ADMIN)
    return tuple(choice for choice in MAIL_CHOICES if organiser or not choice.for_organisers)


def opt_outs_after(
    opt_outs: Collection[str], shown: Sequence[MailChoice], wanted: Collection[str]
) -> list[str]:
    """The opt-outs once a settings form is saved: the shown choices left unchecked, and every
    choice the form did not show kept as it was (an organiser made a stakeholder again keeps
    the digest turned off). Unknown keys are dropped; the order is that of MAIL_CHOICES."""
    shown_keys = {choice.key for choice in shown}
    return [
        choice.key
        for choice in MAIL_CHOICES
        if (choice.key not in wanted if choice.key in shown_keys else choice.key in opt_outs)
    ]


def unsubscribe_token(secret: str, person_id: int, choice_key: str) -> str:
    """`{person}.{choice}.{mac}`: readable enough to debug, impossible to forge."""
    mac = hmac.new(
        secret.encode(), f"unsubscribe:{person_id}:{choice_key}".encode(), hashlib.sha256
    ).digest()
    signature = base64.urlsafe_b64encode(mac[:18]).decode()
    return f"{person_id}.{choice_key}.{signature}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, MailChoice] | None:
    """The person id and choice a genuine token names; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isascii() or not parts[0].isdigit():
        return None
    person_id, choice_key = int(parts[0]), parts[1]
    choice = CHOICES_BY_KEY.get(choice_key)
    if choice is None or len(parts[0]) > 12:
        return None
    expected = unsubscribe_token(secret, person_id, choice_key)
    if not hmac.compare_digest(expected.encode(), token.encode()):
        return None
    return person_id, choice
