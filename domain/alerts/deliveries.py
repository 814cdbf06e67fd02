"""Delivery reports from gateways, applied to the outbox whichever door they arrive through."""

from __future__ import annotations

import logging

from domain.local_time import utc_now
from models import OutboxMessage
from models.enums import OutboxStatus

logger = logging.getLogger("mgov.deliveries")

# How far along a message is; a report never moves it back. Delivered and failed are final.
_RANK = {
    OutboxStatus.QUEUED: 0,
    OutboxStatus.SENDING: 1,
    OutboxStatus.SENT: 2,
    OutboxStatus.DELIVERED: 3,
    OutboxStatus.FAILED: 3,
}


async def apply_delivery_report(
    *, provider: str, provider_message_id: str, status: OutboxStatus, reason: str = ""
) -> OutboxMessage | None:
    """Apply a gateway's status once: repeats are no-ops, late or stale reports never undo a
    later state, and an id we never sent is logged and ignored (None).

    Ids are the gateway's, so they are only unique per provider: a report is matched to the
    messages that provider sent. Should a gateway reuse an id, the newest message takes it.
    """
    matches = (
        await OutboxMessage.filter(provider=provider, provider_message_id=provider_message_id)
        .order_by("-created_at")
        .limit(2)
    )
    if not matches:
        logger.info(
            "delivery report from %s for an unknown message id %s ignored",
            provider,
            provider_message_id,
        )
        return None
    if len(matches) > 1:
        logger.warning(
            "%s reused message id %s: the report applies to the newest message",
            provider,
            provider_message_id,
        )
    message = matches[0]
    if _RANK[status] <= _RANK[message.status]:
        return message
    updates: dict[str, object] = {"status": status}
    if status == OutboxStatus.DELIVERED:
        updates["delivered_at"] = utc_now()
    if status == OutboxStatus.FAILED:
        updates["last_error"] = (reason or "reported failed by the gateway")[:500]
    # Conditional on the state we read, so two reports racing apply in rank order only.
    changed = await OutboxMessage.filter(id=message.id, status=message.status).update(**updates)
    if not changed:
        return await apply_delivery_report(
            provider=provider, provider_message_id=provider_message_id, status=status, reason=reason
        )
    await message.refresh_from_db()
    return message
