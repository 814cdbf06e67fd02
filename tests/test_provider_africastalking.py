"""The Africa's Talking provider against a real HTTP server standing in for their bulk SMS API."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from notifications.providers.africastalking import AfricasTalkingProvider
from notifications.providers.base import OutgoingMessage, SendFailure
from tests.fake_fcm import (
    Scripted,
    scripted_response,
    start_server,
)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3)) as session:
        yield session


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
            return await scripted_response(self.script.popleft())
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
    server = await start_server(app)
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
    with pytest.raises(SendFailure) as caught:
        await provider.send(SMS)
    assert caught.value.retryable is True
    assert "Timeout" in caught.value.reason
