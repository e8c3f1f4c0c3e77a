from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from consult.responses.models import Consent, Publication, RespondentType
from core.vocabulary import Sector
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from consult.responses.revision_backfill import DropSubmitToken, RepointRedactions, backfill_revisions, forget_revisions

class Migration(migrations.Migration):
    dependencies = [('consult', '0006_two_step_sign_in')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ResponseRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('response', fields.ForeignKeyField('consult.Response', source_field='response_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('respondent_type', fields.CharEnumField(description='INDIVIDUAL: individual\nORGANISATION: organisation', enum_type=RespondentType, max_length=20)),
                ('organisation_name', fields.CharField(default='', max_length=200)),
                ('sector', fields.CharEnumField(description='GOVERNMENT: government\nACADEMIA: academia\nINDUSTRY: industry\nCIVIL_SOCIETY: civil_society\nOTHER: other', enum_type=Sector, max_length=20)),
                ('country', fields.CharField(default='', max_length=2)),
                ('consent', fields.CharEnumField(description='PUBLISH_NAMED: publish_named\nPUBLISH_ANONYMOUS: publish_anonymous\nDO_NOT_PUBLISH: do_not_publish', enum_type=Consent, max_length=20)),
                ('publication', fields.CharEnumField(default=Publication.PENDING, description='PENDING: pending\nPUBLISHED: published\nHELD: held', enum_type=Publication, max_length=20)),
                ('publication_decided_by', fields.ForeignKeyField('consult.Person', source_field='publication_decided_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('publication_decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'response_revision', 'app': 'consult', 'unique_together': (('response', 'number'),), 'pk_attr': 'id', 'table_description': 'One version of a response: its details and answers as the author sent them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RevisionAnswer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('revision', fields.ForeignKeyField('consult.ResponseRevision', source_field='revision_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('question', fields.ForeignKeyField('consult.Question', source_field='question_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('text', fields.TextField(default='', unique=False)),
                ('choices', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('scale', fields.SmallIntField(null=True)),
                ('sensitive', fields.BooleanField(default=False)),
                ('file_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'revision_answer', 'app': 'consult', 'unique_together': (('revision', 'question'),), 'pk_attr': 'id', 'table_description': 'An answer as submitted in one revision, with `file_ids`, the files it carried then.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Attachment',
            name='response',
            field=fields.ForeignKeyField('consult.Response', source_field='response_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE),
        ),
        ops.AlterModelOptions(
            name='Redaction',
            options={'table': 'redaction', 'app': 'consult', 'pk_attr': 'id', 'table_description': 'Text of one answer of one revision hidden from every public surface.'},
        ),
        ops.AddField(
            model_name='Response',
            name='edits',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Response',
            name='latest_revision',
            field=fields.ForeignKeyField('consult.ResponseRevision', source_field='latest_revision_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Response',
            name='published_revision',
            field=fields.ForeignKeyField('consult.ResponseRevision', source_field='published_revision_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Response',
            name='unsubmitted_changes',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        DropSubmitToken(
            model_name='Response',
            name='submit_token',
        ),
        ops.RunPython(backfill_revisions, forget_revisions),
        RepointRedactions(
            model_name='Redaction',
            name='answer',
            field=fields.ForeignKeyField('consult.RevisionAnswer', source_field='answer_id', db_constraint=True, to_field='id', related_name='redactions', on_delete=OnDelete.CASCADE),
        ),
    ]
