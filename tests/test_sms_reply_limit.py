"""A capped reply never hides an action: past the hourly reply limit a keyword that changes
something is still confirmed, only replies that change nothing are withheld, and a withheld one
is recorded as capped where an agent sees it."""

from __future__ import annotations

import pytest

from channels.sms.keywords import KEYWORDS, Action
from domain.inbound_sms import REPLY_LIMIT
from domain.staff.call_desk import INBOUND_PAGE
from models import Appointment, Citizen, InboundMessage, OutboxMessage
from models.enums import AppointmentStatus, InboundOutcome, Language
from tests.console_forms import sign_in
from tests.staff_setup import build_city

PHONE = "+84901234567"


def _post(adapter: str, message_id: str, text: str) -> tuple[str, dict[str, object]]:
    url = f"/channels/sms/{adapter}/inbound"
    if adapter == "generic":
        return url, {"json": {"id": message_id, "from": PHONE, "text": text}}
    return url, {"data": {"id": message_id, "from": PHONE, "text": text, "to": "8079"}}


async def _text(client, adapter: str, message_id: str, text: str) -> InboundMessage:
    url, body = _post(adapter, message_id, text)
    response = await client.post(url, **body)
    assert (response.status_code, response.text) == (200, "")
    return await InboundMessage.get(gateway=adapter, gateway_message_id=message_id)


async def _reply(record: InboundMessage) -> str | None:
    if record.reply_id is None:
        return None
    return (await OutboxMessage.get(id=record.reply_id)).template


@pytest.mark.parametrize("adapter", ["generic", "africastalking"])
async def test_past_the_limit_every_change_is_confirmed_and_nothing_else_is(client, adapter):
    city = await build_city()
    ref = city.appointment.id
    for n in range(REPLY_LIMIT):
        record = await _text(client, adapter, f"help-{n}", "TG")
        assert record.outcome == InboundOutcome.ANSWERED
    expected = [
        ("TG", None, InboundOutcome.CAPPED),
        (f"HUY {ref}", "reply_cancelled", InboundOutcome.ANSWERED),
        (f"HUY {ref}", None, InboundOutcome.CAPPED),  # already cancelled: nothing changed
        ("HUY", None, InboundOutcome.CAPPED),  # no reference: nothing changed
        ("LH", None, InboundOutcome.CAPPED),
        ("STOP", "reply_stopped", InboundOutcome.ANSWERED),
        ("STOP", None, InboundOutcome.UNANSWERED),  # a second STOP is never answered
        ("DK", "reply_started", InboundOutcome.ANSWERED),
        ("EN", "reply_language", InboundOutcome.ANSWERED),
        ("Tiếng Việt", "reply_language", InboundOutcome.ANSWERED),
        ("hello?", None, InboundOutcome.CAPPED),
    ]
    seen = []
    for n, (text, _, _) in enumerate(expected):
        record = await _text(client, adapter, f"after-{n}", text)
        seen.append((text, await _reply(record), record.outcome))
    assert seen == expected
    appointment = await Appointment.get(id=ref)
    assert appointment.status == AppointmentStatus.CANCELLED
    citizen = await Citizen.get(phone=PHONE)
    assert (citizen.sms_opt_out, citizen.language) == (False, Language.VI)


def test_changing_something_is_a_property_of_the_grammar_table():
    changing = {keyword.action for keyword in KEYWORDS if keyword.changes}
    assert changing == {
        Action.CANCEL,
        Action.STOP,
        Action.START,
        Action.ENGLISH,
        Action.VIETNAMESE,
        Action.REQUEST,  # a request's reply is its receipt
    }


@pytest.mark.parametrize(
    ("lang", "capped", "answered"),
    [
        ("vi", "Không trả lời: đã quá số tin trả lời cho phép trong một giờ", "Đã trả lời"),
        ("en", "Not answered: over the hourly reply limit", "Answered"),
    ],
)
async def test_an_agent_sees_which_texts_were_capped(client, lang, capped, answered):
    city = await build_city()
    for n in range(REPLY_LIMIT + 1):
        await _text(client, "generic", f"loop-{n}", "Tôi đang bận, sẽ gọi lại sau")
    await sign_in(client)
    page = await client.get(f"/console/citizens/{city.citizen.id}", params={"lang": lang})
    assert page.status_code == 200
    section = page.text.split('id="inbound-sms"')[1].split("</section>")[0]
    assert section.count("Tôi đang bận, sẽ gọi lại sau") == INBOUND_PAGE  # the newest
    assert section.count(capped) == 1 and section.count(answered) == INBOUND_PAGE - 1
    assert section.index(capped) < section.index(answered)
