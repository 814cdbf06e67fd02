from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Device',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('citizen', fields.ForeignKeyField('models.Citizen', source_field='citizen_id', db_constraint=True, to_field='id', related_name='devices', on_delete=OnDelete.CASCADE)),
                ('platform', fields.CharField(max_length=16)),
                ('token', fields.CharField(unique=True, max_length=512)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'device', 'app': 'models', 'pk_attr': 'id', 'table_description': "A phone's push token. Removed when the push service says the token is dead."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='claim_token',
            field=fields.CharField(null=True, db_index=True, max_length=32),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='lease_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='OutboxMessage',
            index=Index(fields=['status', 'lease_until']),
        ),
    ]
