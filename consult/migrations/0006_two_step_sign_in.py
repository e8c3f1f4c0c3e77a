from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('consult', '0005_api_tokens_idempotency')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('consult.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='recovery_codes', on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'recovery_code', 'app': 'consult', 'pk_attr': 'id', 'table_description': 'A one-use code that signs in instead of the authenticator app, for a lost phone.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Person',
            name='two_step_key',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='Person',
            name='two_step_last_step',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='Person',
            name='two_step_since',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
