from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Messages already waiting get the choices their citizens hold now, as the worker read them at
# claim time before: SMS withheld from an opted-out citizen unless urgent, and pushes of a
# citizen whose latest push consent is a withdrawal sent by SMS.
_WITHHOLD_SMS = """
UPDATE outbox_message SET sms_allowed = FALSE
WHERE status IN ('queued', 'sending') AND priority <> 'urgent'
  AND citizen_id IN (SELECT id FROM citizen WHERE sms_opt_out = TRUE)
"""
_PUSH_WITHDRAWN = """
UPDATE outbox_message SET channel = 'sms'
WHERE status IN ('queued', 'sending') AND channel = 'push'
  AND (
    SELECT granted FROM consent_record
    WHERE consent_record.citizen_id = outbox_message.citizen_id
      AND consent_record.purpose = 'push_alerts'
    ORDER BY recorded_at DESC, consent_record.id DESC
    LIMIT 1
  ) = FALSE
"""


class Migration(migrations.Migration):
    dependencies = [('models', '0012_inbound_sms_outcome')]

    initial = False

    operations = [
        ops.AddField(
            model_name='OutboxMessage',
            name='sms_allowed',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.RunSQL([_WITHHOLD_SMS, _PUSH_WITHDRAWN], reverse_sql=[]),
    ]
