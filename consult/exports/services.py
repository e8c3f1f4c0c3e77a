"""Who may export what: the public export for anyone, the organisers' export for the call's team."""

from __future__ import annotations

from consult.calls.models import Call
from consult.exports.tables import Table, organiser_table, public_table
from core.audit import record_action
from core.models import Person
from core.permissions import Action, may


async def public_export(call: Call) -> Table:
    """The open data of a public call: exactly what its published-responses page shows."""
    if not call.is_public():
        raise LookupError("a draft call has no published responses")
    return await public_table(call)


async def organiser_export(
    actor: Person, call: Call, extension: str, *, audited: bool = True
) -> Table:
    """Everything about every submitted response, for the call's team and admins only.

    Raises PermissionError for anyone else, before anything is read or written; for the team,
    records "responses.exported" with the format in the audit log (unless not `audited`: a HEAD
    request, which exports nothing).
    """
    if not await may(actor, Action.READ_RESPONSES, call):
        raise PermissionError("Only the call's team can export its responses.")
    table = await organiser_table(call)
    if audited:
        await record_action(actor, "responses.exported", call, {"format": extension})
    return table
