from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from consult.calls.models import CallPhase
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('consult', '0001_initial'), ('consult', '0002_calls_responses_comments')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Call',
            name='recorded_phase',
            field=fields.CharEnumField(default=CallPhase.DRAFT, description='DRAFT: draft\nUPCOMING: upcoming\nOPEN: open\nCLOSED: closed\nOUTCOME_PUBLISHED: outcome_published', enum_type=CallPhase, max_length=20),
        ),
        ops.AddField(
            model_name='Call',
            name='retention_done_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Person',
            name='mail_opt_outs',
            field=fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Person',
            name='time_zone',
            field=fields.CharField(default='Europe/London', max_length=64),
        ),
        ops.AddField(
            model_name='Response',
            name='anonymised_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
