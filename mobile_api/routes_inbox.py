"""POST /v1/devices, DELETE /v1/devices/{token}, GET /v1/notifications, POST …/{id}/read."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from uuid import UUID

from domain.alerts.inbox import list_inbox, mark_message_read
from domain.devices import register_device, remove_device
from mobile_api.endpoints import Call, Endpoint
from mobile_api.paging import decode_cursor, read_page
from mobile_api.schemas.inbox import (
    DeviceOut,
    DeviceRequest,
    NotificationOut,
    NotificationPage,
    NotificationQuery,
)


async def add_device(call: Call) -> DeviceOut:
    request: DeviceRequest = call.body
    device = await register_device(
        citizen=call.citizen, platform=request.platform, token=request.token
    )
    return DeviceOut(platform=device.platform, registered_at=device.created_at)


async def drop_device(call: Call) -> None:
    await remove_device(citizen=call.citizen, token=call.path["token"])


def _position(created_at: str, message_id: str) -> tuple[datetime, UUID]:
    moment = datetime.fromisoformat(created_at)
    if moment.tzinfo is None:
        raise ValueError("a cursor's time carries its offset")
    return moment.astimezone(UTC), UUID(message_id)


async def notifications(call: Call) -> NotificationPage:
    query: NotificationQuery = call.query
    before = decode_cursor(query.cursor, _position)
    page, next_cursor = await read_page(
        partial(list_inbox, citizen=call.citizen, before=before),
        query.limit,
        lambda message: [message.created_at.isoformat(), message.id],
    )
    return NotificationPage(items=[NotificationOut.of(m) for m in page], next_cursor=next_cursor)


async def read(call: Call) -> NotificationOut:
    message = await mark_message_read(citizen=call.citizen, message_id=call.path["message_id"])
    return NotificationOut.of(message)


endpoints = [
    Endpoint(
        "POST",
        "/v1/devices",
        add_device,
        "Register this phone for push",
        "devices",
        body=DeviceRequest,
        response=DeviceOut,
        status=201,
    ),
    Endpoint(
        "DELETE",
        "/v1/devices/{token}",
        drop_device,
        "Stop push to this phone",
        "devices",
        status=204,
    ),
    Endpoint(
        "GET",
        "/v1/notifications",
        notifications,
        "What was sent to me on any channel, with delivery status",
        "notifications",
        query=NotificationQuery,
        response=NotificationPage,
    ),
    Endpoint(
        "POST",
        "/v1/notifications/{message_id:uuid}/read",
        read,
        "Mark a notification read",
        "notifications",
        response=NotificationOut,
    ),
]
