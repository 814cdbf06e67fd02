from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import InboundOutcome
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_inbound_sms')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InboundMessage',
            name='outcome',
            field=fields.CharEnumField(null=True, description='ANSWERED: answered\nCAPPED: capped\nUNANSWERED: unanswered\nNOT_TEXTED: not_texted', enum_type=InboundOutcome, max_length=16),
        ),
    ]
