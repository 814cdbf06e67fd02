from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_app_auth')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Dossier',
            name='finished_late',
            field=fields.BooleanField(null=True),
        ),
        ops.AddField(
            model_name='Dossier',
            name='time_used_percent',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Dossier',
            name='working_days_taken',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['received_at']),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['finished_at']),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['office_id', 'received_at']),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['office_id', 'finished_at']),
        ),
        ops.AddIndex(
            model_name='OutboxMessage',
            index=Index(fields=['created_at']),
        ),
    ]
