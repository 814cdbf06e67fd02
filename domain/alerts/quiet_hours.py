"""Quiet hours: non-urgent SMS wait for the morning, because nobody wants a reminder at 23:00.
The rule lives here; the worker applies it at the moment of sending (a push that falls back to
SMS at night waits too), and the console explains a held message by its `last_error`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.local_time import as_utc
from models import OutboxMessage
from models.enums import OutboxStatus

# The `last_error` of a message held back for the night: with it a reader (the console) can say
# why the message waits, and a worker started with other quiet hours can find the messages the
# old ones held.
HELD_FOR_QUIET_HOURS = "quiet hours"


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(7, 0)
    tz: ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")

    def resume_at(self, moment: datetime) -> datetime | None:
        """When a message due at `moment` may go out, or None when it may go now."""
        local = moment.astimezone(self.tz)
        clock = local.time()
        if self.start <= self.end:
            quiet = self.start <= clock < self.end
        else:
            quiet = clock >= self.start or clock < self.end
        if not quiet:
            return None
        day = local.date() if clock < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, self.tz)


async def release_quiet_hours_holds(*, until: datetime) -> int:
    """Messages held for quiet hours past `until` are due at `until` instead: a worker passes
    the moment its own quiet hours allow (now, with `MGOV_QUIET_HOURS=off`), so a held message
    waits for the hours configured now, not for the morning of the hours that held it."""
    return await OutboxMessage.filter(
        status=OutboxStatus.QUEUED,
        last_error=HELD_FOR_QUIET_HOURS,
        next_attempt_at__gt=as_utc(until),
    ).update(next_attempt_at=as_utc(until))
