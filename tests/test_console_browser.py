"""End to end: the console in headless Chromium against a real uvicorn server (set-up in
tests/browser.py), on the small laptop screens it must fit."""

from __future__ import annotations

import io
from datetime import time, timedelta

from domain.alerts.enqueue import enqueue_message
from domain.alerts.quiet_hours import QuietHours
from domain.appointments.booking import list_citizen_appointments
from domain.citizens import find_citizen
from domain.local_time import local_text, utc_now
from domain.policy import current_policy
from mgov.demo import load_demo_data
from models import Appointment, AuditLog
from models.enums import AppointmentStatus
from notifications.providers.log import LogProvider
from notifications.worker import OutboxWorker, WorkerConfig
from tests.browser import (  # noqa: F401 (fixtures)
    assert_fits_laptop_screens,
    browser_ready,
    chromium_page,
    web_server,
)

DEMO_PHONE_AS_SAID = "090 123 4567"  # Nguyễn Văn An in the demo data


async def _demo_appointment() -> Appointment:
    """The demo city as `mgov seed` loads it, and the appointment it books for its first citizen."""
    await load_demo_data(out=lambda line: None)
    citizen = await find_citizen(phone=DEMO_PHONE_AS_SAID)
    assert citizen is not None
    appointments = await list_citizen_appointments(citizen=citizen)
    assert len(appointments) == 1
    return appointments[0]


async def test_an_agent_cancels_a_callers_appointment_in_the_browser(web_server, tmp_path):  # noqa: F811
    from playwright.async_api import expect

    appointment = await _demo_appointment()
    async with chromium_page() as page:
        await page.goto(f"{web_server}/console")
        await expect(page).to_have_url(f"{web_server}/console/login")
        await assert_fits_laptop_screens(page)
        await page.fill("#username", "tongdai1")
        await page.fill("#password", "demo-agent-2026")
        await page.click("form[action='/console/login'] button[type=submit]")
        await expect(page.locator("#phone")).to_be_visible()
        await assert_fits_laptop_screens(page)
        await page.fill("#phone", DEMO_PHONE_AS_SAID)
        await page.click("form[action='/console/search'] button[type=submit]")
        await expect(page.locator("h2").first).to_have_text("Nguyễn Văn An")
        await expect(page.locator("#dossiers")).to_contain_text("H29.99-261005-0001")
        card = page.locator(f".appointment[data-id='{appointment.id}']")
        await expect(card).to_be_visible()
        await assert_fits_laptop_screens(page)
        await page.screenshot(path=str(tmp_path / "console-before.png"))

        await card.locator("input[name=reason]").fill("Người gọi bị ốm, xin hủy")
        await card.locator("button[type=submit]").click()

        await expect(page.locator(".flash.ok")).to_contain_text("Đã hủy lịch hẹn")
        await expect(page.locator(f".appointment[data-id='{appointment.id}']")).to_have_count(0)
        await expect(page.locator("#appointments")).to_contain_text("Không có lịch hẹn sắp tới.")
        await assert_fits_laptop_screens(page)
        await page.screenshot(path=str(tmp_path / "console-after.png"))

    stored = await Appointment.get(id=appointment.id)
    assert stored.status == AppointmentStatus.CANCELLED
    assert stored.cancel_reason == "Người gọi bị ốm, xin hủy"
    row = await AuditLog.get(action="appointment.cancel").prefetch_related("staff")
    assert (row.staff.username, row.role, row.client_address) == ("tongdai1", "agent", "127.0.0.1")


async def test_an_agent_sees_what_the_phone_got_and_what_waits(web_server, tmp_path):  # noqa: F811
    """The messages as sent, a held one with its reason and no resend, the caller's own slot
    marked: readable on a small laptop screen."""
    from playwright.async_api import expect

    appointment = await _demo_appointment()
    citizen = await appointment.citizen
    alert = await enqueue_message(
        citizen=citizen,
        template="dossier_needs_supplement",
        params={"code": "H29.15-260914-0001", "note": "Bổ sung bản vẽ mặt bằng tầng trệt"},
    )
    assert alert is not None
    local = utc_now().astimezone(current_policy().timezone)
    start, end = local - timedelta(hours=1), local + timedelta(hours=1)
    quiet = QuietHours(start=time(start.hour, start.minute), end=time(end.hour, end.minute))
    await OutboxWorker(
        sms_providers=[LogProvider(io.StringIO())], config=WorkerConfig(quiet_hours=quiet)
    ).drain()
    slot = appointment.slot
    async with chromium_page() as page:
        await page.goto(f"{web_server}/console/login")
        await page.fill("#username", "tongdai1")
        await page.fill("#password", "demo-agent-2026")
        await page.click("form[action='/console/login'] button[type=submit]")
        await page.fill("#phone", DEMO_PHONE_AS_SAID)
        await page.click("form[action='/console/search'] button[type=submit]")
        held = page.locator(f"#notifications tr[data-message='{alert.id}']")
        await expect(held.locator(".held")).to_contain_text("Giữ lại vì giờ yên lặng ban đêm")
        await expect(held.locator(".as-sent")).to_contain_text("Ho so H29.15-260914-0001 can bo")
        await expect(held.locator("form")).to_have_count(0)
        await expect(held).to_contain_text("SMS · Chờ gửi")
        for body in await page.locator("#notifications .as-sent").all_inner_texts():
            assert body.isascii(), body  # every SMS here went out folded to GSM-7
        await assert_fits_laptop_screens(page)

        await page.select_option("#book select[name=office]", str(slot.office_id))
        await page.fill("#book input[name=day]", local_text(slot.starts_at, "%Y-%m-%d"))
        await page.click("#book form[method=get] button[type=submit]")
        mine = page.locator(f"#book .slot[data-slot='{slot.id}']")
        await expect(mine).to_contain_text("Công dân đã có lịch hẹn giờ này")
        await expect(mine.locator("button")).to_have_count(0)
        await expect(page.locator("#book form.slot").first).to_be_visible()
        await assert_fits_laptop_screens(page)
        await page.screenshot(path=str(tmp_path / "console-messages.png"), full_page=True)
