from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_dossier_statistics')]

    initial = False

    operations = [
        ops.CreateModel(
            name='UssdSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session_id', fields.CharField(unique=True, max_length=100)),
                ('phone', fields.CharField(max_length=16)),
                ('citizen', fields.ForeignKeyField('models.Citizen', source_field='citizen_id', db_constraint=True, to_field='id', related_name='ussd_sessions', on_delete=OnDelete.CASCADE)),
                ('screen', fields.CharField(max_length=32)),
                ('state', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('language', fields.CharField(max_length=2)),
                ('last_text', fields.TextField(default='', unique=False)),
                ('last_reply', fields.CharField(default='', max_length=400)),
                ('hops', fields.IntField(default=0)),
                ('ended', fields.BooleanField(default=False)),
                ('resumable', fields.BooleanField(default=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ussd_session', 'app': 'models', 'indexes': [Index(fields=['phone', 'expires_at']), Index(fields=['expires_at'])], 'pk_attr': 'id', 'table_description': 'One gateway session: the last text and reply answer a retried hop without redoing it, and'},
            bases=['Model'],
        ),
    ]
