"""End to end: the console in headless Chromium against a real uvicorn server.

Debian's `chromium` package is driven by Playwright (its own browser download is not reachable).
`.ci/run` installs chromium when it is missing; under CI=true this test never skips. Locally,
without chromium, it skips and says why.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.appointments import list_citizen_appointments
from domain.citizens import find_citizen
from mgov.demo import load_demo_data
from mgov.settings import Settings
from models import Appointment, AuditLog
from models.enums import AppointmentStatus
from tests.web_process import running_web

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PHONE_AS_SAID = "090 123 4567"  # Nguyễn Văn An in the demo data


def _browser_missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="module")
def browser_ready() -> None:
    problem = _browser_missing()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"under CI=true the browser test must run: {problem}")
    pytest.skip(problem)


@pytest.fixture
def web_server(db: Settings, tmp_path: Path, browser_ready: None) -> Iterator[str]:
    """`mgov web` in its own process on a free port, on the test's database."""
    with running_web(db, tmp_path) as (base, _):
        yield base


async def _demo_appointment() -> Appointment:
    """The demo city as `mgov seed` loads it, and the appointment it books for its first citizen."""
    await load_demo_data(out=lambda line: None)
    citizen = await find_citizen(phone=DEMO_PHONE_AS_SAID)
    assert citizen is not None
    appointments = await list_citizen_appointments(citizen=citizen)
    assert len(appointments) == 1
    return appointments[0]


async def test_an_agent_cancels_a_callers_appointment_in_the_browser(web_server, tmp_path):
    from playwright.async_api import async_playwright, expect

    appointment = await _demo_appointment()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
            await page.goto(f"{web_server}/console")
            await expect(page).to_have_url(f"{web_server}/console/login")
            await page.fill("#username", "tongdai1")
            await page.fill("#password", "demo-agent-2026")
            await page.click("form[action='/console/login'] button[type=submit]")
            await page.fill("#phone", DEMO_PHONE_AS_SAID)
            await page.click("form[action='/console/search'] button[type=submit]")
            await expect(page.locator("h2").first).to_have_text("Nguyễn Văn An")
            await expect(page.locator("#dossiers")).to_contain_text("H29.99-261005-0001")
            card = page.locator(f".appointment[data-id='{appointment.id}']")
            await expect(card).to_be_visible()
            await page.screenshot(path=str(tmp_path / "console-before.png"))

            await card.locator("input[name=reason]").fill("Người gọi bị ốm, xin hủy")
            await card.locator("button[type=submit]").click()

            await expect(page.locator(".flash.ok")).to_contain_text("Đã hủy lịch hẹn")
            await expect(page.locator(f".appointment[data-id='{appointment.id}']")).to_have_count(0)
            await expect(page.locator("#appointments")).to_contain_text(
                "Không có lịch hẹn sắp tới."
            )
            await page.screenshot(path=str(tmp_path / "console-after.png"))
        finally:
            await browser.close()

    stored = await Appointment.get(id=appointment.id)
    assert stored.status == AppointmentStatus.CANCELLED
    assert stored.cancel_reason == "Người gọi bị ốm, xin hủy"
    row = await AuditLog.get(action="appointment.cancel").prefetch_related("staff")
    assert (row.staff.username, row.role, row.client_address) == ("tongdai1", "agent", "127.0.0.1")
