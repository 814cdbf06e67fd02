"""The FCM HTTP v1 provider against real HTTP servers standing in for FCM and its token endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from notifications.providers.base import OutgoingMessage, SendFailure
from notifications.providers.fcm import DeadDeviceToken, FcmProvider
from tests.fake_fcm import (
    FakeClock,
    FakeFcm,
    Scripted,
    fcm_reply,
    start_fake_fcm,
)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3)) as session:
        yield session


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
    fake.send_script.append(fcm_reply(404, "NOT_FOUND", "UNREGISTERED"))
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
    fake.send_script.append(fcm_reply(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", **extra))
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
        fcm_reply(
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
    fake.send_script.append(fcm_reply(404, "NOT_FOUND"))
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push())
    assert not isinstance(caught.value, DeadDeviceToken)
    assert caught.value.reason.startswith("http 404")


async def test_fcm_quota_exceeded_honours_retry_after(fcm):
    fake, provider, _ = fcm
    fake.send_script.append(
        fcm_reply(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", headers={"Retry-After": "30"})
    )
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push())
    assert caught.value.retryable is True
    assert caught.value.retry_after == 30


async def test_fcm_unavailable_is_retryable(fcm):
    fake, provider, _ = fcm
    fake.send_script.append(fcm_reply(503, "UNAVAILABLE", "UNAVAILABLE"))
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push())
    assert caught.value.retryable is True
    assert not isinstance(caught.value, DeadDeviceToken)


async def test_fcm_401_drops_the_token_and_the_next_send_fetches_another(fcm):
    fake, provider, _ = fcm
    await provider.send(_push(1))
    fake.send_script.append(fcm_reply(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"))
    with pytest.raises(SendFailure) as caught:
        await provider.send(_push(2))
    assert caught.value.retryable is True
    assert fake.issued == ["ya29.token-1"]
    await provider.send(_push(3))
    assert fake.issued == ["ya29.token-1", "ya29.token-2"]
    assert fake.sends[-1]["auth"] == "Bearer ya29.token-2"


async def test_fcm_sender_id_mismatch_is_a_configuration_error(fcm):
    fake, provider, _ = fcm
    fake.send_script.append(fcm_reply(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"))
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
