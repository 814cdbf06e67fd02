"""Driving the console's HTML forms as a browser would: the CSRF token each page carries, the
cookies it sets, a signed-in agent."""

from __future__ import annotations

import re

import httpx

from tests.staff_setup import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    match = CSRF_FIELD.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


def cookie_header(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie set: {response.headers.get_list('set-cookie')}")


async def sign_in(client: httpx.AsyncClient, username: str = "tongdai1") -> str:
    page = await client.get("/console/login")
    response = await client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD, "csrf": csrf_of(page)},
    )
    assert response.status_code == 303, response.text
    return cookie_header(response, "mgov_console")
