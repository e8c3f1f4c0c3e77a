from tortoise import migrations
from tortoise.migrations import operations as ops
from events.models import Recurrence, RegistrationStatus, SessionKind, SessionStatus, Visibility
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('consult', '0002_calls_responses_comments')]

    initial = True

    operations = [
        ops.CreateModel(
            name='CalendarToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.OneToOneField('consult.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='calendar_token', on_delete=OnDelete.CASCADE)),
                ('nonce', fields.CharField(max_length=64)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('rotated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'calendar_token', 'app': 'events', 'pk_attr': 'id', 'table_description': "A person's personal feed token: only its SHA-256 and the nonce it is derived from are kept."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=80)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('kind', fields.CharEnumField(default=SessionKind.ROUNDTABLE, description='ROUNDTABLE: roundtable\nWORKSHOP: workshop\nBILATERAL_DIALOGUE: bilateral_dialogue\nWEBINAR: webinar\nBRIEFING: briefing', enum_type=SessionKind, max_length=30)),
                ('topics', fields.ManyToManyField('consult.Topic', unique=True, db_constraint=True, through='session_topic', forward_key='topic_id', backward_key='event_session_id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('call', fields.ForeignKeyField('consult.Call', source_field='call_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.SET_NULL)),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('timezone', fields.CharField(default='Europe/London', max_length=64)),
                ('location', fields.CharField(default='', max_length=300)),
                ('online_url', fields.CharField(default='', max_length=500)),
                ('capacity', fields.IntField(null=True)),
                ('visibility', fields.CharEnumField(default=Visibility.PUBLIC, description='PUBLIC: public\nINVITATION: invitation', enum_type=Visibility, max_length=20)),
                ('status', fields.CharEnumField(default=SessionStatus.SCHEDULED, description='SCHEDULED: scheduled\nCANCELLED: cancelled', enum_type=SessionStatus, max_length=20)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sequence', fields.IntField(default=0)),
                ('recurrence', fields.CharEnumField(default=Recurrence.NONE, description='NONE: none\nWEEKLY: weekly\nMONTHLY: monthly', enum_type=Recurrence, max_length=20)),
                ('recurrence_count', fields.IntField(null=True)),
                ('recurrence_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('consult.Person', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='sessions_created', on_delete=OnDelete.SET_NULL)),
                ('team', fields.ManyToManyField('consult.Person', unique=True, db_constraint=True, through='session_team', forward_key='person_id', backward_key='event_session_id', related_name='sessions_organised', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'event_session', 'app': 'events', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OccurrenceOverride',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('events.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='overrides', on_delete=OnDelete.CASCADE)),
                ('original_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('cancelled', fields.BooleanField(default=False)),
                ('starts_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'session_occurrence', 'app': 'events', 'unique_together': (('session', 'original_start'),), 'pk_attr': 'id', 'table_description': 'One occurrence of a series cancelled, or moved to another time (iCalendar RECURRENCE-ID).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Registration',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('events.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('consult.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.CASCADE)),
                ('occurrence_key', fields.CharField(default='', max_length=40)),
                ('status', fields.CharEnumField(default=RegistrationStatus.REGISTERED, description='REGISTERED: registered\nWAITLISTED: waitlisted\nCANCELLED: cancelled', enum_type=RegistrationStatus, max_length=20)),
                ('promoted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'registration', 'app': 'events', 'unique_together': (('session', 'person', 'occurrence_key'),), 'pk_attr': 'id', 'table_description': "A person's place at a session (the whole series, or one occurrence of it)."},
            bases=['Model'],
        ),
    ]
