"""Small builders for test data; each returns saved rows with realistic HCMC values."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from domain.alerts.enqueue import enqueue_message
from domain.citizens import register_citizen
from domain.local_time import utc_now
from models import Agency, Citizen, Office, OfficeSlot, OutboxMessage, Procedure
from models.enums import AgencyLevel, Channel, OnlineLevel


async def make_agency(code: str = "H29.99", name: str = "UBND phường Sài Gòn") -> Agency:
    """The agency with this code, created on first use (codes are unique)."""
    agency, _ = await Agency.get_or_create(
        code=code, defaults={"name_vi": name, "name_en": name, "level": AgencyLevel.WARD}
    )
    return agency


async def make_office(agency: Agency | None = None) -> Office:
    agency = agency or await make_agency()
    return await Office.create(
        agency=agency,
        name_vi=f"Bộ phận một cửa {agency.name_vi}",
        name_en=f"One-stop office, {agency.name_en}",
        address="45 Lê Duẩn, phường Sài Gòn",
    )


async def make_procedure(
    agency: Agency, *, code: str = "1.001193", days: int = 3, name: str = "Đăng ký hộ kinh doanh"
) -> Procedure:
    return await Procedure.create(
        code=code,
        name_vi=name,
        name_en="Household business registration",
        search_text=name.lower(),
        agency=agency,
        processing_days=days,
        online_level=OnlineLevel.PARTIAL,
    )


async def make_citizen(phone: str = "0901234567", name: str = "Nguyễn Văn An") -> Citizen:
    return await register_citizen(phone=phone, full_name=name)


async def make_slot(
    office: Office, *, capacity: int = 1, starts_in: timedelta = timedelta(days=1)
) -> OfficeSlot:
    starts_at: datetime = utc_now().replace(microsecond=0) + starts_in
    return await OfficeSlot.create(office=office, starts_at=starts_at, capacity=capacity)


async def queue_result_ready_sms(count: int) -> list[OutboxMessage]:
    """`count` due SMS for one citizen, as a dossier's "result ready" alerts queue them."""
    citizen = await make_citizen()
    messages = []
    for n in range(count):
        message = await enqueue_message(
            citizen=citizen,
            template="dossier_result_ready",
            params={"code": f"H29.99-261123-{n + 1:04d}", "office": "phường Sài Gòn"},
            channel=Channel.SMS,
        )
        assert message is not None
        messages.append(message)
    return messages


async def send_due_messages() -> int:
    """What `mgov worker` does with the log provider: every due message sent (the phones' text
    is written to a buffer, not the test's output). Returns how many it claimed."""
    from notifications.providers.log import LogProvider
    from notifications.worker import OutboxWorker, WorkerConfig

    worker = OutboxWorker(
        sms_providers=[LogProvider(io.StringIO())], config=WorkerConfig(quiet_hours=None)
    )
    return await worker.drain()
