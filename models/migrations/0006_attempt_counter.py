from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_dossier_overdue_apology')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AttemptCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(max_length=64)),
                ('window_start', fields.BigIntField()),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'attempt_counter', 'app': 'models', 'unique_together': (('key', 'window_start'),), 'indexes': [Index(fields=['window_start'])], 'pk_attr': 'id', 'table_description': 'Attempts under one key in one fixed window (`window_start` in epoch seconds). The key is a'},
            bases=['Model'],
        ),
    ]
