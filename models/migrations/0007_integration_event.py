from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_attempt_counter')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IntegrationEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('source', fields.CharField(max_length=32)),
                ('event_id', fields.CharField(max_length=100)),
                ('event_type', fields.CharField(max_length=32)),
                ('dossier_code', fields.CharField(default='', max_length=48)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'integration_event', 'app': 'models', 'unique_together': (('source', 'event_id'),), 'pk_attr': 'id', 'table_description': 'One applied back-office event: a second delivery of the same id finds this row.'},
            bases=['Model'],
        ),
    ]
