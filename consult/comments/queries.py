"""Read-only questions about comments: the threads a viewer sees, the moderation queue."""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.expressions import Q
from tortoise.functions import Count

from consult.calls.models import Call
from consult.comments.models import Comment, CommentReport, CommentStatus
from core.models import Person

# Ids in a URL or form beyond the database's integer range name nothing (and must not reach it).
LARGEST_ID = 2**31 - 1


@dataclass
class Thread:
    """A top-level comment and the replies to it the viewer may see, oldest first."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass(frozen=True)
class ModerationRow:
    comment: Comment
    parent: Comment | None
    reports: int


def _visible_to(viewer: Person | None) -> Q:
    """Approved comments, and the viewer's own that still wait for an organiser."""
    visible = Q(status=CommentStatus.APPROVED)
    if viewer is not None:
        visible |= Q(status=CommentStatus.PENDING, author_id=viewer.id)
    return visible


async def threads_for(call: Call, viewer: Person | None) -> list[Thread]:
    """The call's threads as `viewer` sees them; a reply shows only under a parent they see."""
    comments = (
        await Comment.filter(_visible_to(viewer), call_id=call.id)
        .select_related("author")
        .order_by("created_at", "id")
    )
    threads = {c.id: Thread(c) for c in comments if c.parent_id is None}
    for comment in comments:
        thread = threads.get(comment.parent_id) if comment.parent_id is not None else None
        if thread is not None:
            thread.replies.append(comment)
    return list(threads.values())


def published_count(threads: list[Thread]) -> int:
    """How many of these comments everyone can read (the viewer's pending ones are not counted)."""
    return sum(
        1 + sum(reply.status == CommentStatus.APPROVED for reply in thread.replies)
        for thread in threads
        if thread.comment.status == CommentStatus.APPROVED
    )


async def comment_on_call(call: Call, comment_id: int) -> Comment | None:
    if not 0 < comment_id <= LARGEST_ID:
        return None
    return await Comment.get_or_none(id=comment_id, call_id=call.id)


async def reportable_comment(comment_id: int) -> Comment | None:
    """A published comment (on a public call) with its call and author, or None."""
    if not 0 < comment_id <= LARGEST_ID:
        return None
    comment = (
        await Comment.filter(id=comment_id, status=CommentStatus.APPROVED)
        .select_related("call", "author")
        .first()
    )
    if comment is None or not comment.call.is_public():
        return None
    return comment


async def comments_for_moderation(call: Call) -> list[ModerationRow]:
    """Every comment on the call with its report count: pending first, then oldest first."""
    comments = await Comment.filter(call_id=call.id).select_related("author")
    counts = dict(
        await CommentReport.filter(comment__call_id=call.id)
        .annotate(reports=Count("id"))
        .group_by("comment_id")
        .values_list("comment_id", "reports")
    )
    by_id = {comment.id: comment for comment in comments}
    rows = [
        ModerationRow(
            comment,
            by_id.get(comment.parent_id) if comment.parent_id is not None else None,
            int(counts.get(comment.id, 0)),
        )
        for comment in comments
    ]
    rows.sort(
        key=lambda row: (
            row.comment.status != CommentStatus.PENDING,
            row.comment.created_at,
            row.comment.id,
        )
    )
    return rows
