"""Every page of the console, the dashboard and the docs carries the security headers, and holds
no inline script, style or event handler the Content-Security-Policy would block (the browser
tests load them under it too: tests/browser.py fails on anything blocked)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.staff_setup import PASSWORD, build_city

INLINE = re.compile(r"<style|\sstyle=|\son[a-z]+=|<script(?![^>]*\ssrc=)", re.IGNORECASE)
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


async def _console_login(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/console/login")
    csrf = CSRF_FIELD.search(page.text)
    assert csrf, page.text[:300]
    response = await client.post(
        "/console/login", data={"username": username, "password": PASSWORD, "csrf": csrf[1]}
    )
    assert response.status_code == 303, response.text


def assert_secured(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_docs_and_login_pages_are_secured_and_hold_no_inline_code(client):
    for url in ("/docs", "/console/login"):
        page = await client.get(url)
        assert_secured(page)
        assert not INLINE.findall(page.text), (url, INLINE.findall(page.text))


@pytest.mark.parametrize("username", ["tongdai1", "giamsat"])
async def test_the_console_and_dashboard_pages_hold_no_inline_code(client, username):
    city = await build_city()
    await _console_login(client, username)
    urls = (
        ["/console", f"/console/citizens/{city.citizen.id}"]
        if username == "tongdai1"
        else ["/console/dashboard"]
    )
    for url in urls:
        page = await client.get(url)
        assert_secured(page)
        assert not INLINE.findall(page.text), (url, INLINE.findall(page.text))
        for asset in re.findall(r'(?:href|src)="(/static/[^"]+|/docs/[^"]+)"', page.text):
            assert (await client.get(asset)).status_code == 200, asset


@pytest.mark.parametrize(
    ("url", "media_type"),
    [
        ("/static/console.css", "text/css"),
        ("/static/dashboard.css", "text/css"),
        ("/static/dashboard.js", "text/javascript"),
        ("/static/docs.css", "text/css"),
        ("/docs/docs.js", "text/javascript"),
    ],
)
async def test_the_pages_own_files_are_served(client, url, media_type):
    response = await client.get(url)
    assert_secured(response)
    assert response.headers["content-type"].startswith(media_type)


@pytest.mark.parametrize("name", ["docs.html", "nothing.css", "..%2Fapp.py"])
async def test_nothing_else_is_served_from_static(client, name):
    assert (await client.get(f"/static/{name}")).status_code == 404


async def test_json_answers_carry_the_headers_too(client):
    response = await client.get("/v1/procedures")
    assert_secured(response)
