"""End to end: the API docs page in headless Chromium (set-up in tests/browser.py) renders every
operation from /openapi.json under its Content-Security-Policy, with nothing blocked: its script
and stylesheet are the app's own files, so it also works offline."""

from __future__ import annotations

from mobile_api.api import openapi_document
from tests.browser import browser_ready, chromium_page, web_server  # noqa: F401 (fixtures)


async def test_the_docs_page_renders_under_its_csp(web_server):  # noqa: F811
    from playwright.async_api import expect

    operations = sum(len(methods) for methods in openapi_document()["paths"].values())
    async with chromium_page() as page:
        response = await page.goto(f"{web_server}/docs")
        assert response is not None and response.ok
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        await expect(page.locator("#operations details")).to_have_count(operations)
        await expect(page.locator("#intro")).not_to_contain_text("Loading")
        # The stylesheet applied: the method badges are bold, as docs.css says.
        weight = await page.locator(".method").first.evaluate(
            "(e) => getComputedStyle(e).fontWeight"
        )
        assert weight == "700"
