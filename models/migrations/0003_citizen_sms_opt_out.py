from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_outbox_lease_and_devices')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Citizen',
            name='sms_opt_out',
            field=fields.BooleanField(default=False),
        ),
    ]
