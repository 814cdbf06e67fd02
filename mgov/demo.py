"""`mgov seed`: load the demo city once, and keep two weeks of bookable slots ahead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from tortoise.transactions import in_transaction

from domain.applications.documents import DocumentStore
from domain.appointments.booking import book_appointment
from domain.citizens import register_citizen, set_citizen_cccd
from domain.dossiers.records import Actor, move_dossier, receive_dossier
from domain.holidays import add_holiday, load_working_calendar
from domain.local_time import utc_now
from domain.phones import normalise_phone
from domain.policy import current_policy
from domain.staff.accounts import create_staff_user
from domain.text import search_key
from mgov import demo_data as data
from mgov.demo_online import load_online_demo
from models import Agency, Citizen, DossierEvent, Office, OfficeSlot, OutboxMessage, Procedure
from models.enums import (
    ActorKind,
    AgencyLevel,
    DossierStatus,
    Language,
    OnlineLevel,
    OutboxStatus,
    StaffRole,
)

OFFICER = Actor(ActorKind.STAFF, "demo-seed")
SENT_AFTER = timedelta(seconds=1)


async def _load_reference() -> None:
    agencies: dict[str, Agency] = {}
    for code, name_vi, name_en, level, parent in data.AGENCIES:
        agencies[code] = await Agency.create(
            code=code,
            name_vi=name_vi,
            name_en=name_en,
            level=AgencyLevel(level),
            parent=agencies.get(parent) if parent else None,
        )
    for agency_code, name_vi, name_en, address in data.OFFICES:
        await Office.create(
            agency=agencies[agency_code], name_vi=name_vi, name_en=name_en, address=address
        )
    for code, name_vi, name_en, agency_code, days, fee, online in data.PROCEDURES:
        await Procedure.create(
            code=code,
            name_vi=name_vi,
            name_en=name_en,
            search_text=search_key(f"{name_vi} {name_en}"),
            agency=agencies[agency_code],
            processing_days=days,
            fee_vnd=fee,
            online_level=OnlineLevel(online),
        )
    for day, name_vi, name_en in data.HOLIDAYS:
        await add_holiday(day=day, name_vi=name_vi, name_en=name_en)
    for username, password, full_name, role, staff_agency in data.STAFF:
        await create_staff_user(
            username=username,
            password=password,
            full_name=full_name,
            role=StaffRole(role),
            agency=agencies[staff_agency] if staff_agency else None,
        )
    for phone, name, language, cccd in data.CITIZENS:
        citizen = await register_citizen(phone=phone, full_name=name, language=Language(language))
        await set_citizen_cccd(citizen=citizen, cccd=cccd)


async def _office_of(agency_code: str) -> Office:
    return await Office.get(agency__code=agency_code)


async def _play(
    phone: str,
    procedure_code: str,
    agency_code: str,
    received_at: datetime,
    moves: list[tuple[str, str, datetime]],
) -> str:
    """One dossier's story, each step on the day and hour the story gives it."""
    citizen = await Citizen.get(phone=normalise_phone(phone))
    dossier = await receive_dossier(
        citizen=citizen,
        procedure=await Procedure.get(code=procedure_code),
        office=await _office_of(agency_code),
        actor=OFFICER,
        received_at=received_at,
    )
    at = received_at
    for status, note, when in moves:
        at = max(at, when)
        await move_dossier(
            dossier_id=dossier.id, to_status=DossierStatus(status), actor=OFFICER, note=note, at=at
        )
    return dossier.code


async def _load_dossiers(out: Callable[[str], object], now: datetime) -> None:
    tz = current_policy().timezone
    calendar = await load_working_calendar(around=now)
    for phone, procedure_code, agency_code, (y, mo, d, h, mi), moves in data.DOSSIERS:
        received = datetime(y, mo, d, h, mi, tzinfo=tz)
        steps = []
        for status, note, days_later in moves:
            day = calendar.add_working_days(received.date(), days_later)
            steps.append((status, note, min(datetime.combine(day, received.timetz()), now)))
        code = await _play(phone, procedure_code, agency_code, received, steps)
        out(f"  dossier {code}")
    today = now.astimezone(tz).date()

    def moment(days_ago: int, hour: int | None) -> datetime:
        """A story's day and hour before the seed, never after it; no hour is the seed's moment,
        so a dossier received today counts from the next working day after the cut-off."""
        if hour is None:
            return now
        day = today - timedelta(days=days_ago)
        return min(datetime(day.year, day.month, day.day, hour, 0, tzinfo=tz), now)

    for phone, procedure_code, agency_code, (days_ago, hour), dated_moves in data.RECENT:
        steps = [(status, note, moment(ago, at)) for status, note, ago, at in dated_moves]
        received = moment(days_ago, hour)
        code = await _play(phone, procedure_code, agency_code, received, steps)
        out(f"  dossier {code}  (received recently)")
    await _date_the_alerts()


async def _date_the_alerts() -> None:
    """The demo's past is history: each alert was queued when its step happened and sent a
    second later (as a polling worker would), not all at the moment the seed ran."""
    for event in await DossierEvent.all():
        await OutboxMessage.filter(dedupe_key=f"dossier-event:{event.id}").update(
            created_at=event.created_at,
            next_attempt_at=event.created_at,
            sent_at=event.created_at + SENT_AFTER,
            status=OutboxStatus.SENT,
        )


async def ensure_slots(
    *, days_ahead: int = data.SLOT_DAYS_AHEAD, now: datetime | None = None
) -> int:
    """Bookable slots for the coming working days at every office; safe to run every start."""
    now = now or utc_now()
    calendar = await load_working_calendar(around=now)
    tz = calendar.tz
    today = now.astimezone(tz).date()
    rows = []
    for office in await Office.filter(is_active=True).prefetch_related("agency"):
        capacity = 3 if office.agency.level == AgencyLevel.WARD else 5
        for offset in range(days_ahead + 1):
            day: date = today + timedelta(days=offset)
            if not calendar.is_working_day(day):
                continue
            for hour, minute in data.SLOT_TIMES:
                starts_at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
                rows.append(OfficeSlot(office=office, starts_at=starts_at, capacity=capacity))
    before = await OfficeSlot.all().count()
    await OfficeSlot.bulk_create(rows, ignore_conflicts=True)
    return await OfficeSlot.all().count() - before


async def _book_appointments(out: Callable[[str], object], now: datetime) -> None:
    """A few upcoming appointments; their confirmations count as sent, like the demo's past."""
    soon = now + timedelta(hours=2)
    for phone, agency_code, index in data.APPOINTMENTS:
        citizen = await Citizen.get(phone=normalise_phone(phone))
        slot = (
            await OfficeSlot.filter(office__agency__code=agency_code, starts_at__gte=soon)
            .order_by("starts_at")
            .offset(index)
            .first()
        )
        if slot is not None:
            appointment = await book_appointment(citizen=citizen, slot_id=slot.id)
            out(f"  appointment {appointment.id} for {citizen.full_name}")
    await OutboxMessage.filter(status=OutboxStatus.QUEUED).update(
        status=OutboxStatus.SENT, sent_at=now + SENT_AFTER
    )


async def load_demo_data(
    *,
    out: Callable[[str], object] = print,
    now: datetime | None = None,
    store: DocumentStore | None = None,
) -> None:
    """Load the fixed demo city once, then top up slots: a second run only tops up. `now` is
    the moment the seed runs, which dates the story's recent part; `store` keeps the demo
    applications' documents (without one, those applications are left out)."""
    now = now or utc_now()
    first_load = not await Agency.exists()
    if not first_load:
        out("demo data already loaded")
    else:
        async with in_transaction():
            await _load_reference()
            await _load_dossiers(out, now)
            await load_online_demo(out=out, now=now, store=store)
        out("demo data loaded")
    added = await ensure_slots(now=now)
    out(f"{added} appointment slots added for the next {data.SLOT_DAYS_AHEAD} days")
    if first_load:
        await _book_appointments(out, now)
