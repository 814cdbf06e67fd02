"""Headless Chromium for the console's browser tests (test_console_browser.py,
test_dashboard_browser.py): one binary, one way to launch it, one check of "readable on a small
laptop".

Debian's `chromium` package is driven by Playwright (its own browser download is not reachable),
always through the binary that package installs: the one whose presence decides skip or fail is
the one launched. `.ci/run` installs it when missing; under CI=true these tests never skip.
Locally, without it, they skip and say why.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from infra.settings import Settings
from tests.web_process import running_web

if TYPE_CHECKING:
    from playwright.async_api import Page

# What `apt-get install chromium` puts there; MGOV_TEST_CHROMIUM names another build's binary.
CHROMIUM = Path(os.environ.get("MGOV_TEST_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Small laptop screens the console must fit without scrolling sideways; the first is the default.
LAPTOP_SCREENS = [{"width": 1366, "height": 768}, {"width": 1280, "height": 720}]


def browser_missing() -> str | None:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return (
            f"{CHROMIUM} is not installed: `apt-get install chromium` (Debian's package) runs"
            " the browser tests, or MGOV_TEST_CHROMIUM names another Chromium binary"
        )
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser_ready() -> None:
    problem = browser_missing()
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


@asynccontextmanager
async def chromium_page(*, locale: str = "vi-VN") -> AsyncIterator[Page]:
    """A page in headless Chromium on the first laptop screen; the browser closes on the way out.
    Whatever the page's Content-Security-Policy blocked (Chromium says so in its console) fails
    the test: every page must run on the app's own files alone."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page(viewport=LAPTOP_SCREENS[0], locale=locale)
            blocked: list[str] = []
            page.on(
                "console",
                lambda message: (
                    blocked.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            yield page
            assert not blocked, blocked
        finally:
            await browser.close()


# The elements sticking out past the right edge, to name in a failure.
_WIDER_THAN_SCREEN = """() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth)
    .slice(0, 5)
    .map((e) => `${e.tagName.toLowerCase()}.${e.className}: `
        + `${Math.round(e.getBoundingClientRect().right)}px`)"""


async def assert_fits_laptop_screens(page: Page) -> None:
    """No horizontal scroll on any of LAPTOP_SCREENS: the page is read without scrolling sideways.
    Leaves the page on the first screen size."""
    for screen in LAPTOP_SCREENS:
        await page.set_viewport_size(screen)
        scroll_width, inner_width = await page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, (
            f"{page.url} scrolls sideways at {screen['width']}x{screen['height']}: "
            f"{scroll_width}px wide; {await page.evaluate(_WIDER_THAN_SCREEN)}"
        )
    await page.set_viewport_size(LAPTOP_SCREENS[0])
