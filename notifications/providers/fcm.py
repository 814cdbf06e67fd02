"""Firebase Cloud Messaging, HTTP v1 API (see docs/channels.md, "Push (FCM HTTP v1)"): an OAuth
access token minted from the service account's key and reused until near expiry, then one POST
per push."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt

from notifications.providers.base import (
    Accepted,
    OutgoingMessage,
    Provider,
    SendFailure,
    failure_for_status,
    parse_retry_after,
)

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME = 3600
# A cached access token is not used in the last minute of its life.
EXPIRY_MARGIN = 60.0
FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"


class DeadDeviceToken(SendFailure):
    """FCM says this device token will never work again: delete the device, do not retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


@dataclass(frozen=True)
class _Token:
    value: str
    fresh_until: float


@dataclass(frozen=True)
class _FcmError:
    """The parts of an FCM error reply that decide what happens next."""

    status: str
    error_codes: tuple[str, ...]
    bad_fields: tuple[str, ...]
    message: str

    @classmethod
    def parse(cls, body: Any) -> _FcmError:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return cls("", (), (), "")
        codes: list[str] = []
        fields: list[str] = []
        for detail in error.get("details") or ():
            if not isinstance(detail, dict):
                continue
            if detail.get("@type") == FCM_ERROR_TYPE and detail.get("errorCode"):
                codes.append(str(detail["errorCode"]))
            if detail.get("@type") == BAD_REQUEST_TYPE:
                for violation in detail.get("fieldViolations") or ():
                    if isinstance(violation, dict):
                        fields.append(str(violation.get("field", "")))
        return cls(
            str(error.get("status", "")), tuple(codes), tuple(fields), str(error.get("message", ""))
        )

    def token_is_dead(self) -> bool:
        """UNREGISTERED, or INVALID_ARGUMENT about the token itself (not about the payload,
        which FCM reports with the same status but a BadRequest naming another field)."""
        if "UNREGISTERED" in self.error_codes:
            return True
        if "INVALID_ARGUMENT" not in self.error_codes:
            return False
        if self.bad_fields:
            return "message.token" in self.bad_fields
        return "registration token" in self.message.lower()

    def describe(self) -> str:
        code = "/".join(self.error_codes) or self.status or "no error code"
        return f"{code}: {self.message}" if self.message else code


class FcmProvider(Provider):
    name = "fcm"

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        service_account: dict[str, Any],
        token_url: str = "https://oauth2.googleapis.com/token",
        send_base: str = "https://fcm.googleapis.com",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.client_email = service_account["client_email"]
        self.private_key = service_account["private_key"]
        self.token_url = token_url
        self.send_url = (
            f"{send_base.rstrip('/')}/v1/projects/{service_account['project_id']}/messages:send"
        )
        self.clock = clock
        self._token: _Token | None = None
        self._token_lock = asyncio.Lock()

    async def _send(self, message: OutgoingMessage) -> Accepted:
        if not message.device_token:
            raise SendFailure("no device token", retryable=False)
        token = await self._access_token()
        payload = {
            "message": {
                "token": message.device_token,
                "notification": {"title": message.title, "body": message.body},
                "data": {key: str(value) for key, value in message.data.items()},
                "android": {"priority": "HIGH"},
            }
        }
        headers = {"Authorization": f"Bearer {token}"}
        async with self.session.post(self.send_url, json=payload, headers=headers) as response:
            body = await self._json_or_none(response)
            if response.status == 200 and isinstance(body, dict) and body.get("name"):
                return Accepted(self.name, str(body["name"]))
            raise self._failure(
                response.status, _FcmError.parse(body), response.headers.get("Retry-After"), token
            )

    def _failure(
        self, status: int, error: _FcmError, retry_after: str | None, token: str
    ) -> SendFailure:
        if error.token_is_dead():
            return DeadDeviceToken(f"dead device token: {error.describe()}"[:300])
        if status == 401:
            # Our access token was refused (revoked, or expired early): the next send mints one.
            if self._token is not None and self._token.value == token:
                self._token = None
            return SendFailure(
                f"http 401: {error.describe()}"[:300],
                retryable=True,
                retry_after=parse_retry_after(retry_after),
            )
        if status == 403:
            return SendFailure(f"configuration error: {error.describe()}"[:300], retryable=False)
        if status < 300:
            return SendFailure(f"unexpected reply http {status}", retryable=False)
        return failure_for_status(status, error.describe(), retry_after)

    async def _access_token(self) -> str:
        """The cached access token, or a new one; concurrent callers share one fetch."""
        cached = self._token
        if cached is not None and self.clock() < cached.fresh_until:
            return cached.value
        async with self._token_lock:
            cached = self._token
            if cached is not None and self.clock() < cached.fresh_until:
                return cached.value
            self._token = await self._fetch_token()
            return self._token.value

    async def _fetch_token(self) -> _Token:
        issued_at = int(time.time())
        claims = {
            "iss": self.client_email,
            "scope": SCOPE,
            "aud": self.token_url,
            "iat": issued_at,
            "exp": issued_at + ASSERTION_LIFETIME,
        }
        assertion = jwt.encode(claims, self.private_key, algorithm="RS256")
        started = self.clock()
        form = {"grant_type": JWT_BEARER, "assertion": assertion}
        async with self.session.post(self.token_url, data=form) as response:
            body = await self._json_or_none(response)
            if response.status != 200:
                detail = body.get("error", "") if isinstance(body, dict) else ""
                raise SendFailure(
                    f"token endpoint http {response.status}: {detail}"[:300],
                    retryable=True,
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                )
        try:
            value = str(body["access_token"])
            lifetime = float(body["expires_in"])
        except (TypeError, KeyError, ValueError):
            raise SendFailure("token endpoint: no access_token in reply", retryable=True) from None
        return _Token(value, started + lifetime - EXPIRY_MARGIN)

    @staticmethod
    async def _json_or_none(response: aiohttp.ClientResponse) -> Any:
        try:
            return await response.json(content_type=None)
        except ValueError:
            return None
