from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_ussd_session')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InboundMessage',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('gateway', fields.CharField(max_length=32)),
                ('gateway_message_id', fields.CharField(max_length=128)),
                ('phone', fields.CharField(max_length=32)),
                ('citizen', fields.ForeignKeyField('models.Citizen', source_field='citizen_id', null=True, db_constraint=True, to_field='id', related_name='inbound_sms', on_delete=OnDelete.SET_NULL)),
                ('text', fields.CharField(max_length=1600)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reply', fields.ForeignKeyField('models.OutboxMessage', source_field='reply_id', null=True, db_constraint=True, to_field='id', related_name='inbound', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'inbound_sms', 'app': 'models', 'unique_together': (('gateway', 'gateway_message_id'),), 'indexes': [Index(fields=['citizen_id', 'received_at'])], 'pk_attr': 'id', 'table_description': 'One message as the gateway delivered it. The unique (gateway, gateway message id) pair is'},
            bases=['Model'],
        ),
    ]
