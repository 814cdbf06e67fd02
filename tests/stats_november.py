"""The generated November 2026 of the statistics tests, whose every figure is known in advance:
dossiers of a ward and a department (tests/test_stats_dossiers.py) and outbox messages
(tests/test_stats_outbox.py), both read again through the staff API (tests/test_staff_stats.py).

No holidays, Monday 2 November is the first working day; a dossier received at 09:00 on day D
and finished at 10:00 on the k-th working day after D took exactly k working days.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.calendar import WorkingCalendar
from domain.dossiers.records import Actor, move_dossier, receive_dossier
from models import Agency, Dossier, Office, OutboxMessage, Procedure
from models.enums import ActorKind, Channel, DossierStatus, Language, OutboxStatus
from tests.factories import make_agency, make_citizen, make_office, make_procedure

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICER = Actor(ActorKind.STAFF, "officer-1")
CALENDAR = WorkingCalendar(holidays=frozenset(), tz=HCM)
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=HCM)

# Working days taken by the dossiers each agency finished in November (answers below).
WARD_DAYS = [1, 1, 2, 2, 3, 3, 3, 4, 5, 6]  # 3-day procedure: 7 on time, 3 late
DEPARTMENT_DAYS = [2, 5, 5, 7, 10]  # 5-day procedure: 3 on time, 2 late (+1 from October)


def local_at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=HCM)


async def receive_at(office: Office, procedure: Procedure, received: datetime) -> Dossier:
    citizen = await make_citizen()
    return await receive_dossier(
        citizen=citizen, procedure=procedure, office=office, actor=OFFICER, received_at=received
    )


async def move_at(dossier: Dossier, status: DossierStatus, at: datetime, note: str = "") -> None:
    await move_dossier(dossier_id=dossier.id, to_status=status, actor=OFFICER, at=at, note=note)


async def finish_after(dossier: Dossier, received: datetime, working_days: int) -> None:
    day = CALENDAR.add_working_days(received.date(), working_days)
    await move_at(dossier, DossierStatus.IN_PROGRESS, received + timedelta(minutes=30))
    await move_at(dossier, DossierStatus.RESULT_READY, local_at(day, 10))


async def build_november() -> tuple[Agency, Agency]:
    """The ward's and the department's dossiers (the figures in tests/test_stats_dossiers.py)."""
    ward = await make_agency("H29.99", "UBND phường Sài Gòn")
    department = await make_agency("H29.12", "Sở Tư pháp")
    ward_office, department_office = await make_office(ward), await make_office(department)
    three_days = await make_procedure(ward, code="2.000720", days=3)
    ten_days = await make_procedure(ward, code="1.009972", days=10)
    five_days = await make_procedure(department, code="2.000488", days=5)
    monday = local_at(date(2026, 11, 2), 9)
    for days in WARD_DAYS:
        await finish_after(await receive_at(ward_office, three_days, monday), monday, days)
    for days in DEPARTMENT_DAYS:
        await finish_after(await receive_at(department_office, five_days, monday), monday, days)
    # Received in October, finished on its due day in November: finished, not received, here.
    october = local_at(date(2026, 10, 26), 9)
    await finish_after(await receive_at(department_office, five_days, october), october, 5)
    # Saturday 31 October 23:30 local is still October (16:30 UTC), and it is overdue now.
    late_saturday = datetime(2026, 10, 31, 23, 30, tzinfo=HCM)
    await receive_at(department_office, five_days, late_saturday)
    # Open work received in November.
    await receive_at(ward_office, three_days, monday)  # overdue, never started
    started = await receive_at(ward_office, three_days, monday)
    await move_at(started, DossierStatus.IN_PROGRESS, monday + timedelta(hours=1))  # overdue
    await receive_at(ward_office, ten_days, local_at(date(2026, 11, 16), 9))  # due 30 Nov
    await receive_at(department_office, five_days, monday)  # overdue
    waiting = await receive_at(ward_office, three_days, monday)
    await move_at(
        waiting, DossierStatus.NEEDS_SUPPLEMENT, local_at(date(2026, 11, 3), 9), "Thiếu CCCD"
    )
    withdrawn = await receive_at(ward_office, three_days, monday)
    await move_at(withdrawn, DossierStatus.WITHDRAWN, local_at(date(2026, 11, 3), 9))
    return ward, department


# The outbox's November.
QUEUED_AT = datetime(2026, 11, 10, 9, 0, tzinfo=HCM)

S = OutboxStatus
# (channel, provider, status, seconds from queued to sent or None, failure reason)
MESSAGES = [
    *[(Channel.SMS, "africastalking", S.DELIVERED, s, "") for s in (2, 4, 6, 8)],
    (Channel.SMS, "africastalking", S.FAILED, 5, "DeliveryFailure"),
    (Channel.SMS, "africastalking", S.SENT, 12, ""),
    *[(Channel.SMS, "http", S.SENT, s, "") for s in (10, 20, 30)],
    (Channel.PUSH, "fcm", S.SENT, 1.5, ""),
    (Channel.PUSH, "fcm", S.SENT, 3, ""),
    (Channel.SMS, "", S.FAILED, None, "opted out"),
    (Channel.SMS, "", S.FAILED, None, "opted out"),
    (Channel.SMS, "http", S.FAILED, None, "HTTP 400: bad number"),
]


def outbox_message(created_at: datetime, status: OutboxStatus, **fields: object) -> OutboxMessage:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "phone": "+84901234567",
        "channel": Channel.SMS,
        "template": "dossier_received",
        "language": Language.VI,
        "status": status,
        "next_attempt_at": created_at,
        "created_at": created_at,
    }
    values.update(fields)
    return OutboxMessage(**values)


async def build_outbox() -> None:
    """The month's messages, and a backlog queued the morning of NOW."""
    rows = [
        outbox_message(
            QUEUED_AT,
            status,
            channel=channel,
            provider=provider,
            sent_at=None if wait is None else QUEUED_AT + timedelta(seconds=wait),
            last_error=reason,
        )
        for channel, provider, status, wait, reason in MESSAGES
    ]
    rows.append(outbox_message(datetime(2026, 11, 20, 9, 0, tzinfo=HCM), S.QUEUED))
    rows.append(outbox_message(datetime(2026, 11, 20, 9, 30, tzinfo=HCM), S.QUEUED))
    rows.append(outbox_message(datetime(2026, 11, 20, 9, 59, tzinfo=HCM), S.SENDING))
    # Queued at 23:00 local on 31 October: October's, whatever its UTC date says.
    october = datetime(2026, 10, 31, 23, 0, tzinfo=HCM)
    rows.append(
        outbox_message(
            october, S.FAILED, provider="africastalking", sent_at=october, last_error="x"
        )
    )
    await OutboxMessage.bulk_create(rows)
