"""Real HTTP stand-ins for Google's FCM: an OAuth token endpoint that verifies our signed JWT,
and a send endpoint that records messages and answers as scripted."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from notifications.providers.fcm import FcmProvider


@dataclass
class Scripted:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


async def start_server(app: web.Application) -> TestServer:
    """The fake's routes served for real on a free loopback port (the Africa's Talking fake too)."""
    server = TestServer(app)
    await server.start_server()
    return server


async def scripted_response(reply: Scripted) -> web.StreamResponse:
    """What a fake endpoint answers when the test scripted its next answer."""
    if reply.delay:
        await asyncio.sleep(reply.delay)
    if isinstance(reply.body, str):
        return web.Response(status=reply.status, text=reply.body, headers=reply.headers)
    return web.json_response(reply.body, status=reply.status, headers=reply.headers)


@dataclass
class FakeFcm:
    public_key: Any
    project_id: str
    token_url: str = ""
    expires_in: int = 3600
    token_delay: float = 0.0
    token_script: deque[Scripted] = field(default_factory=deque)
    send_script: deque[Scripted] = field(default_factory=deque)
    issued: list[str] = field(default_factory=list)
    sends: list[dict[str, Any]] = field(default_factory=list)

    async def token(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        if self.token_delay:
            await asyncio.sleep(self.token_delay)
        if self.token_script:
            return await scripted_response(self.token_script.popleft())
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        try:
            claims = jwt.decode(
                str(form["assertion"]),
                self.public_key,
                audience=self.token_url,
                algorithms=["RS256"],
            )
        except (KeyError, jwt.InvalidTokenError) as exc:
            return web.json_response({"error": "invalid_grant", "why": str(exc)}, status=400)
        if (
            claims.get("iss") != "push@mgov-test.iam.gserviceaccount.com"
            or claims.get("scope") != "https://www.googleapis.com/auth/firebase.messaging"
            or not 0 < claims["exp"] - claims["iat"] <= 3600
        ):
            return web.json_response({"error": "invalid_scope"}, status=400)
        self.issued.append(f"ya29.token-{len(self.issued) + 1}")
        return web.json_response(
            {"access_token": self.issued[-1], "expires_in": self.expires_in, "token_type": "Bearer"}
        )

    async def send(self, request: web.Request) -> web.StreamResponse:
        self.sends.append(
            {
                "project": request.match_info["project"],
                "auth": request.headers.get("Authorization", ""),
                "json": await request.json(),
            }
        )
        if self.send_script:
            return await scripted_response(self.send_script.popleft())
        if request.headers.get("Authorization") != f"Bearer {self.issued[-1]}":
            return web.json_response(_fcm_error(401, "UNAUTHENTICATED"), status=401)
        number = len(self.sends)
        return web.json_response({"name": f"projects/{self.project_id}/messages/0:{number}"})


def _fcm_error(code: int, status: str, error_code: str | None = None, **extra: Any) -> dict:
    details = []
    if error_code:
        details.append(
            {
                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": error_code,
            }
        )
    error = {"code": code, "message": extra.pop("message", status), "status": status}
    if details or "details" in extra:
        error["details"] = details + extra.pop("details", [])
    return {"error": error}


def fcm_reply(code: int, status: str, error_code: str | None = None, **extra: Any) -> Scripted:
    """An FCM error answer shaped as Google sends it, to script a send's failure."""
    headers = extra.pop("headers", {})
    return Scripted(
        status=code, body=_fcm_error(code, status, error_code, **extra), headers=headers
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def start_fake_fcm(
    http: aiohttp.ClientSession, rsa_key: rsa.RSAPrivateKey
) -> tuple[FakeFcm, FcmProvider, FakeClock, TestServer]:
    """A fake FCM (token endpoint and send endpoint) and a provider pointed at it."""
    fake = FakeFcm(public_key=rsa_key.public_key(), project_id="mgov-test")
    app = web.Application()
    app.router.add_post("/token", fake.token)
    app.router.add_post("/v1/projects/{project}/messages:send", fake.send)
    server = await start_server(app)
    fake.token_url = str(server.make_url("/token"))
    pem = rsa_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode()
    clock = FakeClock()
    provider = FcmProvider(
        session=http,
        service_account={
            "type": "service_account",
            "project_id": "mgov-test",
            "client_email": "push@mgov-test.iam.gserviceaccount.com",
            "private_key": pem,
        },
        token_url=fake.token_url,
        send_base=str(server.make_url("")),
        clock=clock,
    )
    return fake, provider, clock, server
