"""POST/DELETE /v1/devices, GET /v1/notifications, POST /v1/notifications/{id}/read."""

from __future__ import annotations

import uuid

from domain.alerts.enqueue import enqueue_message
from domain.local_time import utc_now
from mobile_api.paging import encode_cursor
from models import Citizen, Device, OutboxMessage
from models.enums import OutboxStatus
from tests.app_login import assert_problem, field_errors, signed_in


async def test_register_and_remove_a_device(client):
    headers = await signed_in(client)
    added = await client.post(
        "/v1/devices", json={"platform": "android", "token": "fcm-token:abc_123"}, headers=headers
    )
    assert added.status_code == 201
    assert added.json()["platform"] == "android"
    again = await client.post(
        "/v1/devices", json={"platform": "android", "token": "fcm-token:abc_123"}, headers=headers
    )
    assert again.status_code == 201
    assert await Device.filter(token="fcm-token:abc_123").count() == 1
    stranger = await signed_in(client, "0912345678")
    refused = await client.delete("/v1/devices/fcm-token:abc_123", headers=stranger)
    assert_problem(refused, status=404, code="device_not_found")
    removed = await client.delete("/v1/devices/fcm-token:abc_123", headers=headers)
    assert removed.status_code == 204
    assert not await Device.exists(token="fcm-token:abc_123")


async def test_a_phone_handed_on_pushes_to_its_new_owner(client):
    first = await signed_in(client)
    second = await signed_in(client, "0912345678")
    body = {"platform": "ios", "token": "apns-1"}
    await client.post("/v1/devices", json=body, headers=first)
    await client.post("/v1/devices", json=body, headers=second)
    device = await Device.get(token="apns-1")
    assert device.citizen_id == (await Citizen.get(phone="+84912345678")).id


async def test_bad_device_requests_are_422(client):
    headers = await signed_in(client)
    bad = await client.post("/v1/devices", json={"platform": "nokia", "token": ""}, headers=headers)
    body = assert_problem(bad, status=422, code="validation_failed")
    assert sorted(e["field"] for e in body["errors"]) == ["platform", "token"]  # type: ignore[union-attr]


async def test_inbox_lists_what_was_sent_on_any_channel_with_status_and_pages(client):
    headers = await signed_in(client)
    citizen = await Citizen.get(phone="+84901234567")
    for n in range(3):
        await enqueue_message(
            citizen=citizen,
            template="appointment_cancelled",
            params={"id": n, "when": "09:00 01/12/2026"},
        )
    await OutboxMessage.filter(template="otp").update(
        status=OutboxStatus.DELIVERED, sent_at=utc_now(), delivered_at=utc_now()
    )
    first = (await client.get("/v1/notifications", params={"limit": 2}, headers=headers)).json()
    assert len(first["items"]) == 2
    params = {"limit": 2, "cursor": first["next_cursor"]}
    second = (await client.get("/v1/notifications", params=params, headers=headers)).json()
    items = first["items"] + second["items"]
    assert len(items) == 4 and "next_cursor" not in second
    assert len({i["id"] for i in items}) == 4
    otp = next(i for i in items if i["template"] == "otp")
    assert otp["status"] == "delivered" and "******" in otp["text"]
    queued = next(i for i in items if i["template"] == "appointment_cancelled")
    assert queued["status"] == "queued" and "sent_at" not in queued and "read_at" not in queued


async def test_marking_read_and_404_for_another_citizens_message(client):
    headers = await signed_in(client)
    message = await OutboxMessage.get(template="otp", phone="+84901234567")
    response = await client.post(f"/v1/notifications/{message.id}/read", headers=headers)
    assert response.status_code == 200
    read_at = response.json()["read_at"]
    again = await client.post(f"/v1/notifications/{message.id}/read", headers=headers)
    assert again.json()["read_at"] == read_at
    stranger = await signed_in(client, "0912345678")
    refused = await client.post(f"/v1/notifications/{message.id}/read", headers=stranger)
    assert_problem(refused, status=404, code="notification_not_found")
    unknown = await client.post(f"/v1/notifications/{uuid.uuid4()}/read", headers=headers)
    assert_problem(unknown, status=404, code="notification_not_found")
    listed = (await client.get("/v1/notifications", headers=stranger)).json()["items"]
    assert message.id not in {i["id"] for i in listed}
    forged = [
        "eyJ4Ijox",
        encode_cursor("0001-01-01T00:00:00+01:00", uuid.uuid4()),
        encode_cursor("2026-11-23T10:00:00", uuid.uuid4()),
        encode_cursor("2026-11-23T10:00:00+00:00", "not-a-uuid"),
    ]
    for cursor in forged:
        bad = await client.get("/v1/notifications", params={"cursor": cursor}, headers=headers)
        assert_problem(bad, status=422, code="invalid_cursor")
        assert field_errors(bad) == [("cursor", "invalid_cursor")]
