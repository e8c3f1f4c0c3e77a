from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from core.vocabulary import Role, Sector
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('password_hash', fields.CharField(max_length=200)),
                ('display_name', fields.CharField(max_length=100)),
                ('role', fields.CharEnumField(default=Role.STAKEHOLDER, description='STAKEHOLDER: stakeholder\nORGANISER: organiser\nADMIN: admin', enum_type=Role, max_length=20)),
                ('verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('is_active', fields.BooleanField(default=True)),
                ('organisation', fields.CharField(default='', max_length=200)),
                ('sector', fields.CharEnumField(default=Sector.OTHER, description='GOVERNMENT: government\nACADEMIA: academia\nINDUSTRY: industry\nCIVIL_SOCIETY: civil_society\nOTHER: other', enum_type=Sector, max_length=20)),
                ('country', fields.CharField(default='', max_length=2)),
                ('auth_version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'person', 'app': 'consult', 'pk_attr': 'id', 'table_description': 'Anyone with an account. Email is stored lower-cased so uniqueness ignores case.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('consult.Person', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='audit_entries', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(db_index=True, max_length=60)),
                ('object_type', fields.CharField(max_length=40)),
                ('object_id', fields.CharField(max_length=60)),
                ('detail', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_entry', 'app': 'consult', 'pk_attr': 'id', 'table_description': 'Who did what to which object, and when (UTC). Written for every organiser and admin action.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateLimitHit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rate_limit_hit', 'app': 'consult', 'indexes': [Index(fields=['key', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One counted attempt. Kept in the database so every process and host shares the limits.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Topic',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=60)),
                ('name', fields.CharField(max_length=120)),
                ('summary', fields.CharField(default='', max_length=300)),
                ('description', fields.TextField(default='', unique=False)),
                ('position', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'topic', 'app': 'consult', 'pk_attr': 'id', 'table_description': 'A theme of the partnership under which calls and sessions are published.'},
            bases=['Model'],
        ),
    ]
