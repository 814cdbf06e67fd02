"""Only Vietnamese mobiles cost us SMS: a foreign number or a landline asking for a login code is
refused, texting us is recorded but not answered, and no SMS queued for one ever leaves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import httpx
import pytest

from domain.appointments.booking import book_appointment
from infra.settings import SettingsError, load_settings
from models import Citizen, InboundMessage, OtpCode, OutboxMessage
from models.enums import OutboxStatus
from notifications.providers.http_sms import HttpSmsProvider
from notifications.worker import OutboxWorker, WorkerConfig
from tests.app_login import assert_problem
from tests.conftest import AppWith, http_client
from tests.factories import make_office, make_slot
from tests.fake_gateway import FakeSmsGateway

US_MOBILE = "+1 202 555 0123"
US_E164 = "+12025550123"


def _inbound(adapter: str, message_id: str, phone: str, text: str) -> dict[str, object]:
    if adapter == "generic":
        return {"json": {"id": message_id, "from": phone, "text": text}}
    return {"data": {"id": message_id, "from": phone, "text": text, "to": "8079"}}


@pytest.mark.parametrize("adapter", ["generic", "africastalking"])
@pytest.mark.parametrize("phone", [US_MOBILE, "+84 28 3829 1234", "+44 7911 123456"])
async def test_a_number_that_is_not_a_vietnamese_mobile_is_heard_not_answered(
    client, adapter, phone
):
    response = await client.post(
        f"/channels/sms/{adapter}/inbound", **_inbound(adapter, "abroad-1", phone, "HELP")
    )
    assert (response.status_code, response.text) == (200, "")
    record = await InboundMessage.get(gateway=adapter, gateway_message_id="abroad-1")
    assert record.text == "HELP" and record.phone.startswith("+")
    assert (record.reply_id, record.citizen_id) == (None, None)
    assert await Citizen.all().count() == 0
    assert await OutboxMessage.all().count() == 0


@pytest.mark.parametrize(
    ("phone", "code", "vi", "en"),
    [
        (
            "+1 415 555 0100",
            "phone_not_served",
            "Chỉ gửi được mã đăng nhập tới số di động Việt Nam.",
            "Login codes can only be sent to Vietnamese mobile numbers.",
        ),
        (
            "+84 28 3829 1234",
            "phone_not_mobile",
            "Vui lòng dùng số điện thoại di động.",
            "Please use a mobile phone number.",
        ),
    ],
)
async def test_no_login_code_goes_to_a_number_we_do_not_text(client, phone, code, vi, en):
    for language, message in (("vi", vi), ("en", en)):
        response = await client.post(
            "/v1/auth/otp", json={"phone": phone}, headers={"Accept-Language": language}
        )
        body = assert_problem(response, status=422, code=code)
        assert body["errors"] == [{"field": "phone", "code": code, "message": message}]
        token = await client.post("/v1/auth/token", json={"phone": phone, "code": "123456"})
        assert_problem(token, status=422, code=code)
    assert await OutboxMessage.all().count() == 0
    assert await OtpCode.all().count() == 0


@pytest.fixture
async def regions_vn_us(app_with: AppWith) -> AsyncIterator[httpx.AsyncClient]:
    async with app_with(allowed_phone_regions=("VN", "US")) as app, http_client(app) as http:
        yield http


async def test_the_allowed_regions_are_a_setting(regions_vn_us):
    response = await regions_vn_us.post("/v1/auth/otp", json={"phone": "+1 415 555 0100"})
    assert response.status_code == 202
    await regions_vn_us.post(
        "/channels/sms/generic/inbound", json={"id": "us-1", "from": US_MOBILE, "text": "HELP"}
    )
    record = await InboundMessage.get(gateway_message_id="us-1")
    assert record.reply_id is not None and record.citizen_id is not None


def test_the_regions_setting_is_checked_at_start_up(tmp_path):
    base = {"MGOV_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite://{tmp_path / 'x.db'}"}
    assert load_settings(base).allowed_phone_regions == ("VN",)
    assert load_settings(base | {"MGOV_ALLOWED_PHONE_REGIONS": "vn, kh"}).allowed_phone_regions == (
        "VN",
        "KH",
    )
    for wrong in ("", "Vietnam", "VN,XX"):
        with pytest.raises(SettingsError, match="MGOV_ALLOWED_PHONE_REGIONS"):
            load_settings(base | {"MGOV_ALLOWED_PHONE_REGIONS": wrong})


async def test_a_ussd_caller_from_abroad_is_served_but_never_texted(client):
    # The USSD gateway's number comes from the mobile network, so the caller is served; what
    # would cost an SMS abroad (here a booking's confirmation) is recorded and not sent.
    hop = await client.post(
        "/channels/ussd/africastalking",
        data={"sessionId": "abroad", "phoneNumber": US_E164, "serviceCode": "*384#", "text": ""},
    )
    assert hop.status_code == 200 and hop.text.startswith("CON ")
    caller = await Citizen.get(phone=US_E164)
    slot = await make_slot(await make_office(), starts_in=timedelta(days=2))
    await book_appointment(citizen=caller, slot_id=slot.id)
    [confirmation] = await OutboxMessage.filter(citizen=caller)
    fake = FakeSmsGateway()
    url = await fake.start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
            worker = OutboxWorker(
                sms_providers=[HttpSmsProvider(session=http, url=url)],
                config=WorkerConfig(quiet_hours=None),
            )
            await worker.run_once()
    finally:
        await fake.close()
    stored = await OutboxMessage.get(id=confirmation.id)
    assert (stored.status, stored.last_error) == (OutboxStatus.FAILED, "not an SMS number")
    assert fake.received == []
