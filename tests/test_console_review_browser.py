"""End to end: an officer reviews an online application in headless Chromium against a real
uvicorn server (set-up in tests/browser.py): the queue, the application, a document downloaded,
the acceptance and its dossier code; no page may need anything the CSP blocks."""

from __future__ import annotations

from pathlib import Path

import httpx

from models import Dossier
from tests.app_login import signed_in
from tests.browser import (  # noqa: F401 (fixtures)
    assert_fits_laptop_screens,
    browser_ready,
    chromium_page,
    web_server,
)
from tests.online_setup import PDF, online_city, submitted_application
from tests.staff_setup import PASSWORD


async def _submitted(base: str) -> int:
    """A citizen's application, submitted through the running server as the app would."""
    async with httpx.AsyncClient(base_url=base) as http:
        await online_city(http)
        return await submitted_application(http, await signed_in(http))


async def test_an_officer_reviews_an_application_in_the_browser(web_server, tmp_path: Path):  # noqa: F811
    from playwright.async_api import expect

    number = await _submitted(web_server)
    async with chromium_page() as page:
        await page.goto(f"{web_server}/console/login")
        await page.fill("#username", "canbo.saigon")
        await page.fill("#password", PASSWORD)
        await page.click("form[action='/console/login'] button[type=submit]")
        await page.click("header a[href='/console/applications']")
        row = page.locator(f"#queue tr[data-application='{number}']")
        await expect(row).to_contain_text("Nguyễn Văn An")
        await expect(row).to_contain_text("giờ làm việc")
        await assert_fits_laptop_screens(page)
        await page.screenshot(path=str(tmp_path / "review-queue.png"))

        await row.locator("a").click()
        await expect(page.locator("#answers")).to_contain_text("Quán Cơm Tấm Sài Gòn")
        await expect(page.locator("#answers")).to_contain_text("Ăn uống")
        await assert_fits_laptop_screens(page)
        lease = page.locator("#documents tr", has_text="Hợp đồng thuê mặt bằng").locator("a")
        link = await lease.get_attribute("href")
        assert link is not None
        answer = await page.request.get(f"{web_server}{link}")
        assert answer.status == 200 and answer.headers["cache-control"] == "no-store"
        async with page.expect_download() as downloading:
            await lease.click()
        download = await downloading.value
        assert download.suggested_filename == "hopdong.pdf"
        saved = tmp_path / "downloaded.pdf"
        await download.save_as(saved)
        assert saved.read_bytes() == PDF
        await page.screenshot(path=str(tmp_path / "review-application.png"), full_page=True)

        await page.click("#accept button[type=submit]")
        done = page.locator("#done")
        await expect(done).to_contain_text("Đã tiếp nhận: hồ sơ")
        dossier = await Dossier.get(applications__id=number)
        await expect(done).to_contain_text(dossier.code)
        await expect(page.locator("#decision")).to_contain_text(dossier.code)
        await expect(page.locator("#accept")).to_have_count(0)
        await assert_fits_laptop_screens(page)
        await page.screenshot(path=str(tmp_path / "review-accepted.png"))
