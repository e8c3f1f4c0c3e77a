"""Tables of analysis: form-letter campaigns found among a call's responses."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from consult.calls.models import Call
from consult.responses.models import Response


class Campaign(Model):
    """Responses sharing a near-identical long-text answer (a form letter), found by the detector.

    Members point at their campaign (`Response.campaign`) and keep, in `Response.campaign_extra`,
    the text they added to the template, so what each person wrote themselves stays visible.
    """

    id = fields.IntField(primary_key=True)
    call: fields.ForeignKeyRelation[Call] = fields.ForeignKeyField(
        "consult.Call", related_name="campaigns", on_delete=fields.CASCADE
    )
    template = fields.TextField()
    size = fields.IntField()
    detected_at = fields.DatetimeField()

    members: fields.ReverseRelation[Response]
    call_id: int

    class Meta:
        table = "campaign"
        ordering = ["-size", "id"]
