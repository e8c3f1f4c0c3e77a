from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('consult', '0007_response_revisions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RateLimitCounter',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=200)),
                ('attempts', fields.IntField(default=0)),
                ('seconds', fields.IntField()),
                ('ends_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rate_limit_counter', 'app': 'consult', 'pk_attr': 'key', 'table_description': 'Attempts at one limited thing in its current window, shared by every process and host.'},
            bases=['Model'],
        ),
        ops.DeleteModel(name='RateLimitHit'),
    ]
