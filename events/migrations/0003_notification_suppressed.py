from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('consult', '0001_initial'), ('consult', '0002_calls_responses_comments'), ('events', '0002_notification_outbox')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Notification',
            name='suppressed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
