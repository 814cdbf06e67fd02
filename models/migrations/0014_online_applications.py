from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.enums import ApplicationChannel, ApplicationStatus, OnlineLevel
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# A procedure done only at the counter was stored as 'none'; its name now says so.
_COUNTER = "UPDATE procedure SET online_level = 'counter' WHERE online_level = 'none'"


class Migration(migrations.Migration):
    dependencies = [('models', '0013_outbox_sms_allowed')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ProcedureForm',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('procedure', fields.ForeignKeyField('models.Procedure', source_field='procedure_id', db_constraint=True, to_field='id', related_name='forms', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField()),
                ('fields_spec', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('documents_spec', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('published_by', fields.CharField(default='', max_length=64)),
                ('published_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'procedure_form', 'app': 'models', 'unique_together': (('procedure_id', 'version'),), 'pk_attr': 'id', 'table_description': 'One published version of what a procedure asks for. Never changed once published: an'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Application',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('citizen', fields.ForeignKeyField('models.Citizen', source_field='citizen_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('procedure', fields.ForeignKeyField('models.Procedure', source_field='procedure_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('agency', fields.ForeignKeyField('models.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('form', fields.ForeignKeyField('models.ProcedureForm', source_field='form_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('channel', fields.CharEnumField(description='APP: app\nUSSD: ussd\nSMS: sms', enum_type=ApplicationChannel, max_length=8)),
                ('status', fields.CharEnumField(description='DRAFT: draft\nSUBMITTED: submitted\nACCEPTED: accepted\nREFUSED: refused\nWITHDRAWN: withdrawn', enum_type=ApplicationStatus, max_length=16)),
                ('answers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('touched_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.CharField(default='', max_length=64)),
                ('refusal_reason', fields.CharField(default='', max_length=500)),
                ('office', fields.ForeignKeyField('models.Office', source_field='office_id', null=True, db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.RESTRICT)),
                ('dossier', fields.ForeignKeyField('models.Dossier', source_field='dossier_id', null=True, db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'application', 'app': 'models', 'unique_together': (('citizen_id', 'idempotency_key'),), 'indexes': [Index(fields=['agency_id', 'status', 'submitted_at']), Index(fields=['citizen_id', 'id']), Index(fields=['status', 'touched_at'])], 'pk_attr': 'id', 'table_description': "A citizen's request for one procedure, from draft to an officer's decision. Accepted, it"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApplicationDocument',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=64)),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('size', fields.BigIntField()),
                ('content_type', fields.CharField(max_length=64)),
                ('filename', fields.CharField(default='', max_length=200)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'application_document', 'app': 'models', 'indexes': [Index(fields=['application_id', 'kind'])], 'pk_attr': 'id', 'table_description': 'One file attached to an application. The bytes live in the document store under their'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SupplementRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dossier', fields.ForeignKeyField('models.Dossier', source_field='dossier_id', db_constraint=True, to_field='id', related_name='supplement_requests', on_delete=OnDelete.CASCADE)),
                ('fields_asked', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('documents_asked', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('note', fields.CharField(default='', max_length=500)),
                ('requested_by', fields.CharField(default='', max_length=64)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'supplement_request', 'app': 'models', 'indexes': [Index(fields=['dossier_id', 'requested_at'])], 'pk_attr': 'id', 'table_description': 'What an officer asked a citizen to add or correct (named fields and document kinds), open'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Dossier',
            name='submitted_online',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AlterField(
            model_name='Procedure',
            name='online_level',
            field=fields.CharEnumField(description='FULL: full\nPARTIAL: partial\nCOUNTER: counter', enum_type=OnlineLevel, max_length=16),
        ),
        ops.AddField(
            model_name='Procedure',
            name='basic_phone',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Procedure',
            name='needs_cccd',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Procedure',
            name='short_code',
            field=fields.CharField(null=True, unique=True, max_length=16),
        ),
        ops.RunSQL([_COUNTER], reverse_sql=[]),
    ]
