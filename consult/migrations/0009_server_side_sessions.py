from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('consult', '0008_rate_limit_counters')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SignInSession',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('person', fields.ForeignKeyField('consult.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='sign_in_sessions', on_delete=OnDelete.CASCADE)),
                ('two_step', fields.BooleanField(default=False)),
                ('user_agent', fields.CharField(default='', max_length=200)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sign_in_session', 'app': 'consult', 'indexes': [Index(fields=['person_id', 'last_seen_at'])], 'pk_attr': 'id', 'table_description': 'One signed-in browser. Its cookie holds a random id (256 bits) of which only the SHA-256 is'},
            bases=['Model'],
        ),
    ]
