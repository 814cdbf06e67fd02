"""The app inbox: what was sent to a citizen on any channel, with its delivery status."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.expressions import Q

from domain.errors import NotFound
from domain.local_time import as_utc, utc_now
from models import Citizen, OutboxMessage


async def list_inbox(
    *, citizen: Citizen, before: tuple[datetime, UUID] | None = None, limit: int = 20
) -> list[OutboxMessage]:
    """Newest first, paged by (created_at, id): stable while new messages arrive."""
    query = OutboxMessage.filter(citizen=citizen)
    if before is not None:
        created_at, message_id = as_utc(before[0]), before[1]
        query = query.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=message_id)
        )
    return await query.order_by("-created_at", "-id").limit(limit)


async def mark_message_read(*, citizen: Citizen, message_id: UUID) -> OutboxMessage:
    """Read once: the first time is kept. Another citizen's message is not found."""
    message = await OutboxMessage.get_or_none(id=message_id, citizen=citizen)
    if message is None:
        raise NotFound("notification_not_found", "no such notification")
    if message.read_at is None:
        message.read_at = utc_now()
        await OutboxMessage.filter(id=message.id, read_at__isnull=True).update(
            read_at=message.read_at
        )
    return message
