"""End to end: a supervisor opens the dashboard in headless Chromium (set-up in tests/browser.py)
and finds the agency table and both charts, in both languages and in print layout, on the small
laptop screens it must fit."""

from __future__ import annotations

from mgov.demo import load_demo_data
from tests.browser import (  # noqa: F401 (fixtures)
    assert_fits_laptop_screens,
    browser_ready,
    chromium_page,
    web_server,
)

# The demo's dossiers were received between August and November 2026.
DEMO_PERIOD = "from=2026-08-01&to=2026-12-31"


async def test_a_supervisor_reads_the_dashboard_in_the_browser(web_server, tmp_path):  # noqa: F811
    from playwright.async_api import expect

    await load_demo_data(out=lambda line: None)
    async with chromium_page() as page:
        await page.goto(f"{web_server}/console/login")
        await page.fill("#username", "giamsat")
        await page.fill("#password", "demo-supervisor-2026")
        await page.click("form[action='/console/login'] button[type=submit]")
        await page.click("a[href='/console/dashboard']")
        await expect(page.locator("h2").first).to_contain_text("Tình hình giải quyết hồ sơ")
        await assert_fits_laptop_screens(page)
        await page.goto(f"{web_server}/console/dashboard?{DEMO_PERIOD}")

        bars = page.locator("#chart-on-time svg.chart.bars")
        await expect(bars).to_be_visible()
        await expect(bars.locator("g.bar")).to_have_count(
            await page.locator("#agencies tbody tr").count()
        )
        await expect(page.locator("#chart-weekly svg.chart.lines g.series")).to_have_count(2)
        rows = page.locator("#agencies tbody tr")
        await expect(rows.first).to_be_visible()
        await expect(page.locator("#agencies tr[data-agency='H29.15']")).to_contain_text(
            "Sở Xây dựng"
        )
        await expect(page.locator("#most-overdue")).to_contain_text("H29.15-260914-0001")
        box = await bars.bounding_box()
        assert box is not None and box["width"] > 300
        await assert_fits_laptop_screens(page)
        await page.screenshot(path=str(tmp_path / "dashboard-vi.png"), full_page=True)

        await page.goto(f"{web_server}/console/dashboard?{DEMO_PERIOD}&lang=en")
        await expect(page.locator("#chart-on-time h2")).to_have_text("On-time rate per agency")
        await assert_fits_laptop_screens(page)
        await page.emulate_media(media="print")
        await expect(page.locator("header")).to_be_hidden()
        await expect(page.locator("form.filters")).to_be_hidden()
        await expect(page.locator("#chart-weekly svg")).to_be_visible()
        await page.pdf(path=str(tmp_path / "dashboard-en.pdf"))
