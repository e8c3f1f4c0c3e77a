from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from consult.calls.models import AttachmentKind, CallState, QuestionKind
from consult.comments.models import CommentStatus
from consult.responses.models import Consent, RespondentType, ResponseStatus
from core.vocabulary import Sector
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('consult', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Call',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=80)),
                ('topic', fields.ForeignKeyField('consult.Topic', source_field='topic_id', db_constraint=True, to_field='id', related_name='calls', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('summary', fields.CharField(max_length=500)),
                ('body', fields.TextField(default='', unique=False)),
                ('timezone', fields.CharField(default='Europe/London', max_length=64)),
                ('opens_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('state', fields.CharEnumField(default=CallState.DRAFT, description='DRAFT: draft\nPUBLISHED: published\nOUTCOME_PUBLISHED: outcome_published', enum_type=CallState, max_length=20)),
                ('outcome', fields.TextField(default='', unique=False)),
                ('outcome_published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('premoderate_comments', fields.BooleanField(default=True)),
                ('created_by', fields.ForeignKeyField('consult.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='calls_created', on_delete=OnDelete.SET_NULL)),
                ('team', fields.ManyToManyField('consult.Person', unique=True, db_constraint=True, through='call_team', forward_key='person_id', backward_key='call_id', related_name='calls_organised', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'call', 'app': 'consult', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Comment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('call', fields.ForeignKeyField('consult.Call', source_field='call_id', db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('consult.Person', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.SET_NULL)),
                ('parent', fields.ForeignKeyField('consult.Comment', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=CommentStatus.PENDING, description='PENDING: pending\nAPPROVED: approved\nREJECTED: rejected', enum_type=CommentStatus, max_length=20)),
                ('moderated_by', fields.ForeignKeyField('consult.Person', source_field='moderated_by_id', null=True, db_constraint=True, to_field='id', related_name='comments_moderated', on_delete=OnDelete.SET_NULL)),
                ('moderated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'comment', 'app': 'consult', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CommentReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('comment', fields.ForeignKeyField('consult.Comment', source_field='comment_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.CASCADE)),
                ('reporter', fields.ForeignKeyField('consult.Person', source_field='reporter_id', null=True, db_constraint=True, to_field='id', related_name='comment_reports', on_delete=OnDelete.SET_NULL)),
                ('reason', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'comment_report', 'app': 'consult', 'unique_together': (('comment', 'reporter'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Question',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('call', fields.ForeignKeyField('consult.Call', source_field='call_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField(default=0)),
                ('kind', fields.CharEnumField(description='LONG_TEXT: long_text\nSHORT_TEXT: short_text\nSINGLE_CHOICE: single_choice\nMULTIPLE_CHOICE: multiple_choice\nSCALE: scale\nFILE: file', enum_type=QuestionKind, max_length=20)),
                ('prompt', fields.CharField(max_length=500)),
                ('help_text', fields.TextField(default='', unique=False)),
                ('required', fields.BooleanField(default=False)),
                ('word_limit', fields.IntField(null=True)),
                ('options', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'question', 'app': 'consult', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Response',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('call', fields.ForeignKeyField('consult.Call', source_field='call_id', db_constraint=True, to_field='id', related_name='responses', on_delete=OnDelete.RESTRICT)),
                ('respondent', fields.ForeignKeyField('consult.Person', source_field='respondent_id', null=True, db_constraint=True, to_field='id', related_name='responses', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=ResponseStatus.DRAFT, description='DRAFT: draft\nSUBMITTED: submitted\nWITHDRAWN: withdrawn', enum_type=ResponseStatus, max_length=20)),
                ('tracking_number', fields.CharField(null=True, unique=True, max_length=24)),
                ('respondent_type', fields.CharEnumField(default=RespondentType.INDIVIDUAL, description='INDIVIDUAL: individual\nORGANISATION: organisation', enum_type=RespondentType, max_length=20)),
                ('organisation_name', fields.CharField(default='', max_length=200)),
                ('sector', fields.CharEnumField(default=Sector.OTHER, description='GOVERNMENT: government\nACADEMIA: academia\nINDUSTRY: industry\nCIVIL_SOCIETY: civil_society\nOTHER: other', enum_type=Sector, max_length=20)),
                ('country', fields.CharField(default='', max_length=2)),
                ('consent', fields.CharEnumField(default=Consent.DO_NOT_PUBLISH, description='PUBLISH_NAMED: publish_named\nPUBLISH_ANONYMOUS: publish_anonymous\nDO_NOT_PUBLISH: do_not_publish', enum_type=Consent, max_length=20)),
                ('details_confirmed', fields.BooleanField(default=False)),
                ('submit_token', fields.CharField(null=True, max_length=64)),
                ('revision', fields.IntField(default=0)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'response', 'app': 'consult', 'unique_together': (('call', 'respondent'),), 'pk_attr': 'id', 'table_description': 'One per stakeholder per call: the unique constraint, not a prior check, keeps it so.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Answer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('response', fields.ForeignKeyField('consult.Response', source_field='response_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('question', fields.ForeignKeyField('consult.Question', source_field='question_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.RESTRICT)),
                ('text', fields.TextField(default='', unique=False)),
                ('choices', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('scale', fields.SmallIntField(null=True)),
                ('sensitive', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'answer', 'app': 'consult', 'unique_together': (('response', 'question'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='CALL_DOCUMENT: call_document\nRESPONSE_FILE: response_file', enum_type=AttachmentKind, max_length=20)),
                ('call', fields.ForeignKeyField('consult.Call', source_field='call_id', null=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('answer', fields.ForeignKeyField('consult.Answer', source_field='answer_id', null=True, db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('original_name', fields.CharField(max_length=255)),
                ('stored_name', fields.CharField(unique=True, max_length=64)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('title', fields.CharField(default='', max_length=200)),
                ('uploaded_by', fields.ForeignKeyField('consult.Person', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='uploads', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'attachment', 'app': 'consult', 'pk_attr': 'id', 'table_description': "A stored file: a call's document or a file given in an answer. Bytes live outside the web root."},
            bases=['Model'],
        ),
    ]
