"""The Africa's Talking and FCM providers against real HTTP servers standing in for them."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from notifications.providers.africastalking import AfricasTalkingProvider
from notifications.providers.base import OutgoingMessage, SendFailure
from notifications.providers.fcm import DeadDeviceToken, FcmProvider
from tests.fake_fcm import (
    FakeClock,
    FakeFcm,
    Scripted,
    _answer,
    _fcm_reply,
    _serve,
    start_fake_fcm,
)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3)) as session:
        yield session


# --- Africa's Talking ---------------------------------------------------------------------------


@dataclass
class FakeAfricasTalking:
    base_url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    script: deque[Scripted] = field(default_factory=deque)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        self.received.append(
            {
                "content_type": request.content_type,
                "api_key": request.headers.get("apiKey"),
                "accept": request.headers.get("Accept"),
                "form": {key: str(value) for key, value in form.items()},
            }
        )
        if self.script:
            return await _answer(self.script.popleft())
        return web.json_response(
            {
                "SMSMessageData": {
                    "Message": "Sent to 1/1 Total Cost: VND 250",
                    "Recipients": [
                        {
                            "statusCode": 101,
                            "number": form["to"],
                            "status": "Success",
                            "cost": "VND 250",
                            "messageId": f"ATXid_{len(self.received)}",
                        }
                    ],
                }
            },
            status=201,
        )


def _recipient_reply(status_code: int, status: str) -> Scripted:
    recipient = {"statusCode": status_code, "number": "+84901234567", "status": status}
    body = {"SMSMessageData": {"Message": "Sent to 0/1 Total Cost: 0", "Recipients": [recipient]}}
    return Scripted(status=201, body=body)


@pytest.fixture
async def africastalking(
    http: aiohttp.ClientSession,
) -> AsyncIterator[tuple[FakeAfricasTalking, AfricasTalkingProvider]]:
    fake = FakeAfricasTalking()
    app = web.Application()
    app.router.add_post("/version1/messaging", fake.handle)
    server = await _serve(app)
    fake.base_url = str(server.make_url(""))
    provider = AfricasTalkingProvider(
        session=http,
        username="mgov",
        api_key="at-key",
        base_url=fake.base_url,
        sender_id="MGOV",
    )
    yield fake, provider
    await server.close()


SMS = OutgoingMessage(id="m-1", phone="+84901234567", body="Ma OTP cua ban: 123456")


async def test_africastalking_posts_the_documented_form(africastalking):
    fake, provider = africastalking
    await provider.send(SMS)
    (request,) = fake.received
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert request["api_key"] == "at-key"
    assert request["accept"] == "application/json"
    assert request["form"] == {
        "username": "mgov",
        "to": "+84901234567",
        "message": "Ma OTP cua ban: 123456",
        "from": "MGOV",
        "bulkSMSMode": "1",
        "enqueue": "1",
    }


async def test_africastalking_leaves_out_from_without_a_sender_id(africastalking, http):
    fake, _ = africastalking
    plain = AfricasTalkingProvider(
        session=http,
        username="mgov",
        api_key="at-key",
        base_url=fake.base_url,
    )
    await plain.send(SMS)
    assert "from" not in fake.received[0]["form"]


async def test_africastalking_success_keeps_the_message_id(africastalking):
    fake, provider = africastalking
    accepted = await provider.send(SMS)
    assert (accepted.provider, accepted.provider_message_id) == ("africastalking", "ATXid_1")


async def test_africastalking_invalid_number_fails_for_good(africastalking):
    fake, provider = africastalking
    fake.script.append(_recipient_reply(403, "InvalidPhoneNumber"))
    with pytest.raises(SendFailure) as caught:
        await provider.send(SMS)
    assert caught.value.retryable is False
    assert caught.value.reason == "InvalidPhoneNumber (403)"


async def test_africastalking_gateway_error_in_the_recipient_is_retryable(africastalking):
    fake, provider = africastalking
    fake.script.append(_recipient_reply(500, "InternalServerError"))
    with pytest.raises(SendFailure) as caught:
        await provider.send(SMS)
    assert caught.value.retryable is True
    assert caught.value.reason == "InternalServerError (500)"


async def test_africastalking_no_recipients_fails_for_good_with_their_reason(africastalking):
    fake, provider = africastalking
    body = {"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}}
    fake.script.append(Scripted(status=201, body=body))
    with pytest.raises(SendFailure) as caught:
        await provider.send(SMS)
    assert caught.value.retryable is False
    assert "InvalidSenderId" in caught.value.reason


async def test_africastalking_http_500_is_retryable(africastalking):
    fake, provider = africastalking
    fake.script.append(Scripted(status=500, body="Internal Server Error"))
    with pytest.raises(SendFailure) as caught:
        await provider.send(SMS)
    assert caught.value.retryable is True
    assert caught.value.reason.startswith("http 500")


async def test_africastalking_http_401_fails_for_good(africastalking):
    fake, provider = africastalking
    fake.script.append(Scripted(status=401, body="The supplied authentication is invalid"))
    with pytest.raises(SendFailure) as caught:
        await provider.send(SMS)
    assert caught.value.retryable is False
    assert caught.value.reason.startswith("http 401")


async def test_africastalking_timeout_is_retryable(africastalking):
    fake, provider = africastalking
    fake.script.append(Scripted(delay=1.0, body={}))
    started = time.perf_counter()
    with pytest.raises(SendFailure) as caught:
        await provider.send(SMS)
    assert time.perf_counter() - started < 0.9
    assert caught.value.retryable is True
    assert "Timeout" in caught.value.reason


# --- FCM ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
async def fcm(http, rsa_key) -> AsyncIterator[tuple[FakeFcm, FcmProvider, FakeClock]]:
    fake, provider, clock, server = await start_fake_fcm(http, rsa_key)
    yield fake, provider, clock
    await server.close()


def _push(n: int = 1) -> OutgoingMessage:
    return OutgoingMessage(
        id=f"p-{n}",
        phone="+84901234567",
        title="Hồ sơ đã có kết quả",
        body="Mời ông/bà đến phường Sài Gòn để nhận.",
        data={"dossier": "H29.99-261123-0001"},
        device_token=f"device-token-{n}",
    )


async def test_fcm_sends_the_documented_message_with_a_verified_token(fcm):
    fake, provider, _ = fcm
    accepted = await provider.send(_push())
    assert (accepted.provider, accepted.provider_message_id) == (
        "fcm",
        "projects/mgov-test/messages/0:1",
    )
    assert fake.issued == ["ya29.token-1"]
    (sent,) = fake.sends
    assert sent["project"] == "mgov-test"
    assert sent["auth"] == "Bearer ya29.token-1"
    assert sent["json"] == {
        "message": {
            "token": "device-token-1",
            "notification": {
                "title": "Hồ sơ đã có kết quả",
                "body": "Mời ông/bà đến phường Sài Gòn để nhận.",
            },
            "data": {"dossier": "H29.99-261123-0001"},
            "android": {"priority": "HIGH"},
        }
    }


async def test_fcm_a_token_signed_with_another_key_is_refused(fcm):
    fake, provider, _ = fcm
    fake.public_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push())
    assert caught.value.retryable is True
    assert caught.value.reason.startswith("token endpoint http 400")
    assert fake.sends == []


async def test_fcm_one_token_serves_five_sends(fcm):
    fake, provider, _ = fcm
    for n in range(5):
        await provider.send(_push(n))
    assert fake.issued == ["ya29.token-1"]
    assert {s["auth"] for s in fake.sends} == {"Bearer ya29.token-1"}
    assert len(fake.sends) == 5


async def test_fcm_five_concurrent_sends_fetch_one_token(fcm):
    fake, provider, _ = fcm
    fake.token_delay = 0.05  # long enough for every send to be waiting on the token
    results = await asyncio.gather(*(provider.send(_push(n)) for n in range(5)))
    assert len(fake.issued) == 1
    assert len({r.provider_message_id for r in results}) == 5


async def test_fcm_token_is_fetched_again_within_a_minute_of_expiry(fcm):
    fake, provider, clock = fcm
    fake.expires_in = 61  # usable for one second, then inside the 60 s margin
    await provider.send(_push(1))
    clock.now += 0.5
    await provider.send(_push(2))
    assert fake.issued == ["ya29.token-1"]
    clock.now += 0.6
    await provider.send(_push(3))
    assert fake.issued == ["ya29.token-1", "ya29.token-2"]
    assert fake.sends[-1]["auth"] == "Bearer ya29.token-2"


async def test_fcm_unregistered_is_a_dead_device_token(fcm):
    fake, provider, _ = fcm
    fake.send_script.append(_fcm_reply(404, "NOT_FOUND", "UNREGISTERED"))
    with pytest.raises(DeadDeviceToken) as caught:
        await provider.send(_push())
    assert caught.value.retryable is False
    assert "UNREGISTERED" in caught.value.reason


def _bad_request(field_name: str) -> dict[str, Any]:
    violation = {"field": field_name, "description": f"Invalid value at '{field_name}'"}
    return {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}


TOKEN_MESSAGE = "The registration token is not a valid FCM registration token"


@pytest.mark.parametrize(
    "extra",
    [
        {"message": TOKEN_MESSAGE},
        {"message": "Invalid value", "details": [_bad_request("message.token")]},
    ],
    ids=["fcm-error-about-the-token", "field-violation-on-the-token"],
)
async def test_fcm_invalid_token_argument_is_a_dead_device_token(fcm, extra):
    fake, provider, _ = fcm
    fake.send_script.append(_fcm_reply(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", **extra))
    with pytest.raises(DeadDeviceToken):
        await provider.send(_push())


@pytest.mark.parametrize(
    "error_code",
    [None, "INVALID_ARGUMENT"],
    ids=["bad-request-only", "fcm-error-and-bad-request"],
)
async def test_fcm_invalid_payload_is_permanent_but_keeps_the_device(fcm, error_code):
    fake, provider, _ = fcm
    fake.send_script.append(
        _fcm_reply(
            400,
            "INVALID_ARGUMENT",
            error_code,
            message=TOKEN_MESSAGE,  # even a misleading message must not condemn the device
            details=[_bad_request("message.data[0].value")],
        )
    )
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push())
    assert not isinstance(caught.value, DeadDeviceToken)
    assert caught.value.retryable is False


async def test_fcm_bare_404_is_not_a_dead_device_token(fcm):
    fake, provider, _ = fcm
    fake.send_script.append(_fcm_reply(404, "NOT_FOUND"))
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push())
    assert not isinstance(caught.value, DeadDeviceToken)
    assert caught.value.reason.startswith("http 404")


async def test_fcm_quota_exceeded_honours_retry_after(fcm):
    fake, provider, _ = fcm
    fake.send_script.append(
        _fcm_reply(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", headers={"Retry-After": "30"})
    )
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push())
    assert caught.value.retryable is True
    assert caught.value.retry_after == 30


async def test_fcm_unavailable_is_retryable(fcm):
    fake, provider, _ = fcm
    fake.send_script.append(_fcm_reply(503, "UNAVAILABLE", "UNAVAILABLE"))
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push())
    assert caught.value.retryable is True
    assert not isinstance(caught.value, DeadDeviceToken)


async def test_fcm_401_drops_the_token_and_the_next_send_fetches_another(fcm):
    fake, provider, _ = fcm
    await provider.send(_push(1))
    fake.send_script.append(_fcm_reply(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"))
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push(2))
    assert caught.value.retryable is True
    assert fake.issued == ["ya29.token-1"]
    await provider.send(_push(3))
    assert fake.issued == ["ya29.token-1", "ya29.token-2"]
    assert fake.sends[-1]["auth"] == "Bearer ya29.token-2"


async def test_fcm_sender_id_mismatch_is_a_configuration_error(fcm):
    fake, provider, _ = fcm
    fake.send_script.append(_fcm_reply(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"))
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push())
    assert caught.value.retryable is False
    assert not isinstance(caught.value, DeadDeviceToken)
    assert caught.value.reason.startswith("configuration error")


async def test_fcm_token_endpoint_failure_is_retryable(fcm):
    fake, provider, _ = fcm
    fake.token_script.append(Scripted(status=503, body={"error": "backend_error"}))
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push())
    assert caught.value.retryable is True
    assert fake.sends == []
    await provider.send(_push())
    assert fake.issued == ["ya29.token-1"]
