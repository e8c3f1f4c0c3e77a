from tortoise import migrations
from tortoise.migrations import operations as ops
from consult.responses.models import Publication
from consult.moderation.models import ReportStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from consult.moderation.search import create_search_index, drop_search_index

class Migration(migrations.Migration):
    dependencies = [('consult', '0003_person_mail_choices_call_phase_retention')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('call', fields.ForeignKeyField('consult.Call', source_field='call_id', db_constraint=True, to_field='id', related_name='campaigns', on_delete=OnDelete.CASCADE)),
                ('template', fields.TextField(unique=False)),
                ('size', fields.IntField()),
                ('detected_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'campaign', 'app': 'consult', 'pk_attr': 'id', 'table_description': 'Responses sharing a near-identical long-text answer (a form letter), found by the detector.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotMeReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('response', fields.ForeignKeyField('consult.Response', source_field='response_id', db_constraint=True, to_field='id', related_name='not_me_reports', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('email', fields.CharField(max_length=254)),
                ('details', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=ReportStatus.OPEN, description='OPEN: open\nRESOLVED: resolved', enum_type=ReportStatus, max_length=20)),
                ('resolution', fields.TextField(default='', unique=False)),
                ('resolved_by', fields.ForeignKeyField('consult.Person', source_field='resolved_by_id', null=True, db_constraint=True, to_field='id', related_name='not_me_resolved', on_delete=OnDelete.SET_NULL)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'not_me_report', 'app': 'consult', 'pk_attr': 'id', 'table_description': 'Someone says a published response was submitted in their name without their knowledge.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Redaction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('answer', fields.ForeignKeyField('consult.Answer', source_field='answer_id', db_constraint=True, to_field='id', related_name='redactions', on_delete=OnDelete.CASCADE)),
                ('start', fields.IntField()),
                ('end', fields.IntField()),
                ('original', fields.TextField(unique=False)),
                ('reason', fields.CharField(max_length=200)),
                ('created_by', fields.ForeignKeyField('consult.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='redactions_made', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'redaction', 'app': 'consult', 'pk_attr': 'id', 'table_description': 'A span of an answer hidden from every public surface (the answer keeps the original).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ResponseSearch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('response_id', fields.IntField(unique=True)),
                ('call_id', fields.IntField(db_index=True)),
                ('body', fields.TextField(unique=False)),
            ],
            options={'table': 'response_search', 'app': 'consult', 'pk_attr': 'id', 'table_description': 'The public text of a published response, for full-text search (one row per published one).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Response',
            name='campaign',
            field=fields.ForeignKeyField('consult.Campaign', source_field='campaign_id', null=True, db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Response',
            name='campaign_extra',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Response',
            name='publication',
            field=fields.CharEnumField(default=Publication.PENDING, db_index=True, description='PENDING: pending\nPUBLISHED: published\nHELD: held', enum_type=Publication, max_length=20),
        ),
        ops.AddField(
            model_name='Response',
            name='publication_decided_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Response',
            name='publication_decided_by',
            field=fields.ForeignKeyField('consult.Person', source_field='publication_decided_by_id', null=True, db_constraint=True, to_field='id', related_name='publications_decided', on_delete=OnDelete.SET_NULL),
        ),
        ops.RunPython(create_search_index, drop_search_index),
    ]
