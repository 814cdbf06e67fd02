"""The caller's address is the peer's unless the peer is one of MGOV_TRUSTED_PROXIES
(mobile_api/forwarded.py): a forged X-Forwarded-For buys nothing, and behind our own proxy every
limit, the audit log and the gateway and metrics allowlists see the address it forwarded for."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest

from domain.auth.staff_tokens import issue_staff_token
from infra.settings import SettingsError, load_settings
from mobile_api.forwarded import forwarded_client
from models import AuditLog, StaffUser
from models.enums import StaffRole
from tests.conftest import AppWith, http_client
from tests.factories import make_citizen
from tests.staff_setup import PASSWORD_HASH
from tests.web_process import running_web

PROXY = "10.0.0.5"
OUTSIDER = "198.51.100.7"
CITIZEN_ADDRESS = "203.0.113.9"


def _networks(*values: str) -> tuple[Any, ...]:
    return tuple(ipaddress.ip_network(value) for value in values)


def _otp(client: httpx.Client, base: str, n: int, forwarded_for: str) -> int:
    response = client.post(
        f"{base}/v1/auth/otp",
        json={"phone": f"0901{n:06d}"},  # a new number each time: only the address limit counts
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


def test_a_rotated_forwarded_for_does_not_pass_the_otp_address_limit(db, tmp_path):
    """127.0.0.1 is no proxy of ours; uvicorn trusted it by default and 25 of 25 sends got out."""
    trusted_peer = httpx.HTTPTransport(local_address="127.0.0.2")
    with (
        running_web(db, tmp_path, MGOV_TRUSTED_PROXIES="127.0.0.2") as (base, _),
        httpx.Client(timeout=10) as caller,
        httpx.Client(transport=trusted_peer, timeout=10) as proxy,
    ):
        rotated = [_otp(caller, base, n, f"192.0.2.{n}") for n in range(21)]
        assert rotated == [202] * 20 + [429]

        # From the trusted proxy the forwarded address is the one limited, each on its own;
        # what a caller wrote left of it (a forged hop) is not.
        first = [_otp(proxy, base, 100 + n, f"192.0.2.{n}, {CITIZEN_ADDRESS}") for n in range(21)]
        assert first == [202] * 20 + [429]
        assert _otp(proxy, base, 200, "203.0.113.10") == 202


@asynccontextmanager
async def proxied(app_with: AppWith, **changes: Any) -> AsyncIterator[Callable[..., Any]]:
    """The app behind a proxy at 10.0.0.0/8, and a client factory per peer address."""
    async with app_with(trusted_proxies=_networks("10.0.0.0/8"), **changes) as app:
        yield lambda peer: http_client(app, address=peer)


USSD_HOP = {"sessionId": "s-1", "phoneNumber": "+84901234567", "text": ""}


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "status"),
    [
        (PROXY, CITIZEN_ADDRESS, 200),
        (PROXY, f"{CITIZEN_ADDRESS}, 10.0.0.6", 200),  # through two of our proxies
        (PROXY, f"{CITIZEN_ADDRESS}, {OUTSIDER}", 403),  # the hop our proxy saw is the outsider
        (OUTSIDER, CITIZEN_ADDRESS, 403),  # not our proxy: its header is not believed
    ],
)
async def test_the_gateway_allowlist_sees_the_forwarded_address(
    app_with, peer, forwarded_for, status
):
    allowed = _networks("203.0.113.0/24")
    async with proxied(app_with, gateway_allowed_networks=allowed) as client_from:
        async with client_from(peer) as client:
            response = await client.post(
                "/channels/ussd/africastalking",
                data=USSD_HOP,
                headers={"X-Forwarded-For": forwarded_for},
            )
    assert response.status_code == status, response.text


@pytest.mark.parametrize(("peer", "status"), [(PROXY, 200), (OUTSIDER, 403)])
async def test_the_metrics_allowlist_sees_the_forwarded_address(app_with, peer, status):
    allowed = _networks("203.0.113.0/24")
    async with proxied(app_with, metrics_allowed_networks=allowed) as client_from:
        async with client_from(peer) as client:
            response = await client.get("/metrics", headers={"X-Forwarded-For": CITIZEN_ADDRESS})
    assert response.status_code == status, response.text


@pytest.mark.parametrize(("peer", "recorded"), [(PROXY, CITIZEN_ADDRESS), (OUTSIDER, OUTSIDER)])
async def test_the_audit_log_records_the_forwarded_address(app_with, database, peer, recorded):
    async with proxied(app_with) as client_from:
        await make_citizen("0901234567")
        admin = await StaffUser.create(
            username="admin1", password_hash=PASSWORD_HASH, full_name="A", role=StaffRole.ADMIN
        )
        token = issue_staff_token(
            staff=admin, secret=str(database.secret_key), lifetime=timedelta(hours=1)
        )
        async with client_from(peer) as client:
            response = await client.post(
                "/v1/staff/citizens/search",
                json={"phone": "0901234567"},
                headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": CITIZEN_ADDRESS},
            )
        assert response.status_code == 200, response.text
        row = await AuditLog.get(action="citizen.find")
        assert row.client_address == recorded


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged hop left of the real one
        ("203.0.113.9, 10.1.1.1, 10.2.2.2", "203.0.113.9"),
        ("10.1.1.1, 10.2.2.2", "10.1.1.1"),  # all ours: the farthest
        ("203.0.113.9:4711", "203.0.113.9"),
        ("[2001:db8::1]:4711", "2001:db8::1"),
        ("not-an-address", PROXY),  # nothing to believe: the proxy itself
        ("203.0.113.9, unknown, 10.2.2.2", "10.2.2.2"),
    ],
)
def test_the_client_is_the_first_address_from_the_right_that_is_not_ours(forwarded_for, client):
    assert forwarded_client(PROXY, forwarded_for, _networks("10.0.0.0/8")) == client


def test_trusted_proxies_is_a_setting_with_none_by_default(tmp_path):
    base = {"MGOV_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite://{tmp_path / 'x.sqlite3'}"}
    assert load_settings(base).trusted_proxies == ()
    given = load_settings({**base, "MGOV_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7"})
    assert given.trusted_proxies == _networks("10.0.0.0/8", "192.168.1.7/32")
    with pytest.raises(SettingsError, match="MGOV_TRUSTED_PROXIES"):
        load_settings({**base, "MGOV_TRUSTED_PROXIES": "10.0.0.0/33"})
