"""Comment rules: who may comment and when, threading one level deep, reports and moderation.

Services never import Starlette. Problems a person can fix come back as `FieldProblem`s; things a
person may not do at all raise `PermissionError`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from base.settings import Limit
from consult.accounts.services import count_attempt
from consult.calls.models import Call
from consult.comments.models import Comment, CommentReport, CommentStatus
from consult.comments.queries import ModerationRow, comments_for_moderation
from core.audit import record_action
from core.errors import FieldProblem
from core.models import Person
from core.permissions import Action, may

BODY_MAX = 5_000
REASON_MAX = 1_000


class Barrier(StrEnum):
    """Why someone may not comment on a call just now."""

    CLOSED = "closed"
    SIGN_IN = "sign_in"
    VERIFY = "verify"

    @property
    def message(self) -> str:
        return {
            "closed": "Comments are closed",
            "sign_in": "Sign in to comment",
            "verify": "Confirm your email address to comment",
        }[self.value]


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"

    @property
    def status(self) -> CommentStatus:
        return CommentStatus.APPROVED if self == Decision.APPROVE else CommentStatus.REJECTED


def comment_barrier(person: Person | None, call: Call, now: datetime) -> Barrier | None:
    """None when `person` may comment on `call` at `now`, else the first reason they may not."""
    if not call.accepts_responses(now):
        return Barrier.CLOSED
    if person is None or not person.is_active:
        return Barrier.SIGN_IN
    if not person.is_verified:
        return Barrier.VERIFY
    return None


def _has_control_characters(text: str) -> bool:
    return any((ord(ch) < 32 or ord(ch) == 127) and ch not in "\t\n\r" for ch in text)


def _check_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise FieldProblem("body", "Enter your comment")
    if len(text) > BODY_MAX:
        raise FieldProblem("body", f"Comments are at most {BODY_MAX:,} characters")
    if _has_control_characters(text):
        raise FieldProblem("body", "Remove the invisible control characters from your comment")
    return text


async def reply_target(person: Person | None, call: Call, parent_id: int) -> Comment:
    """The top-level comment of `call` that `person` can see and may reply to (else FieldProblem)."""
    visible = Q(status=CommentStatus.APPROVED)
    if person is not None:
        visible |= Q(author_id=person.id, status=CommentStatus.PENDING)
    parent = (
        await Comment.filter(visible, id=parent_id, call_id=call.id)
        .select_related("author")
        .first()
    )
    if parent is None:
        raise FieldProblem("body", "The comment you are replying to is not on this call")
    if parent.parent_id is not None:
        raise FieldProblem("body", "You can only reply to a comment, not to a reply")
    return parent


async def post_comment(
    author: Person,
    call: Call,
    body: str,
    *,
    parent_id: int | None,
    now: datetime,
    limit: Limit,
) -> Comment:
    """Store a comment (pending if the call is pre-moderated); raises RateLimited past `limit`."""
    barrier = comment_barrier(author, call, now)
    if barrier is not None:
        raise PermissionError(barrier.message)
    text = _check_body(body)
    parent = await reply_target(author, call, parent_id) if parent_id is not None else None
    await count_attempt(f"comment:{author.id}", limit, now=now)
    status = CommentStatus.PENDING if call.premoderate_comments else CommentStatus.APPROVED
    return await Comment.create(
        call=call, author=author, parent=parent, body=text, status=status, created_at=now
    )


async def report_comment(reporter: Person, comment: Comment, reason: str) -> bool:
    """Record one report per person per comment; False when this person had already reported it."""
    text = reason.strip()
    if len(text) > REASON_MAX:
        raise FieldProblem("reason", f"Reasons are at most {REASON_MAX:,} characters")
    if _has_control_characters(text):
        raise FieldProblem("reason", "Remove the invisible control characters from your reason")
    try:
        # Its own transaction, so a duplicate rolls back alone even inside an outer one.
        async with in_transaction():
            await CommentReport.create(comment=comment, reporter=reporter, reason=text)
    except IntegrityError:
        return False  # the unique (comment, reporter) index decides, even for two at once
    return True


async def comments_to_moderate(moderator: Person, call: Call) -> list[ModerationRow]:
    """Every comment on `call` for its organisers, pending first; PermissionError for anyone else."""
    if not await may(moderator, Action.MODERATE, call):
        raise PermissionError("Only the organisers of this call can moderate its comments.")
    return await comments_for_moderation(call)


async def moderate_comment(
    moderator: Person, call: Call, comment: Comment, decision: Decision, *, now: datetime
) -> None:
    """Approve or reject a comment of `call` and record who did it; PermissionError for outsiders."""
    if comment.call_id != call.id:
        raise ValueError("the comment is not on this call")
    if not await may(moderator, Action.MODERATE, call):
        raise PermissionError("Only the organisers of this call can moderate its comments.")
    previous = comment.status
    async with in_transaction():
        comment.status = decision.status
        comment.moderated_by = moderator
        comment.moderated_at = now
        await comment.save(update_fields=["status", "moderated_by_id", "moderated_at"])
        await record_action(
            moderator,
            f"comment.{decision.status.value}",
            comment,
            {"call": call.slug, "from": previous.value, "to": decision.status.value},
        )
