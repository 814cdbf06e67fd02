from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_citizen_sms_opt_out')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Appointment',
            name='reminders_sent',
            field=fields.SmallIntField(default=0),
        ),
        ops.AddIndex(
            model_name='Appointment',
            index=Index(fields=['status', 'reminders_sent']),
        ),
    ]
