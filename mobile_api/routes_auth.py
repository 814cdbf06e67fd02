"""POST /v1/auth/otp | token | refresh | logout."""

from __future__ import annotations

from domain.auth.app_tokens import TokenPair, revoke_refresh_token, rotate_refresh_token
from domain.auth.otp_login import CODE_TTL, request_otp, verify_otp
from mobile_api.access import PUBLIC
from mobile_api.endpoints import Call, Endpoint
from mobile_api.schemas.auth import (
    OtpRequest,
    OtpSent,
    RefreshRequest,
    TokenRequest,
    TokenResponse,
)


def _tokens(pair: TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )


async def send_code(call: Call) -> OtpSent:
    await request_otp(
        phone=call.body.phone, language=call.language, client_address=call.client_address
    )
    return OtpSent(expires_in=int(CODE_TTL.total_seconds()))


async def sign_in(call: Call) -> TokenResponse:
    login = await verify_otp(
        phone=call.body.phone,
        code=call.body.code,
        secret=call.secret,
        language=call.language,
        client_address=call.client_address,
    )
    return _tokens(login.tokens)


async def refresh(call: Call) -> TokenResponse:
    return _tokens(
        await rotate_refresh_token(refresh_token=call.body.refresh_token, secret=call.secret)
    )


async def log_out(call: Call) -> None:
    await revoke_refresh_token(refresh_token=call.body.refresh_token)


TAG = "auth"
endpoints = [
    Endpoint(
        "POST",
        "/v1/auth/otp",
        send_code,
        "Send a 6-digit login code by SMS",
        TAG,
        body=OtpRequest,
        response=OtpSent,
        status=202,
        auth=PUBLIC,
        errors=(429,),
    ),
    Endpoint(
        "POST",
        "/v1/auth/token",
        sign_in,
        "Trade the code for an access token (15 min) and a refresh token (30 days)",
        TAG,
        body=TokenRequest,
        response=TokenResponse,
        auth=PUBLIC,
        errors=(429,),
        no_store=True,
    ),
    Endpoint(
        "POST",
        "/v1/auth/refresh",
        refresh,
        "Rotate the refresh token; reusing a rotated one ends the login",
        TAG,
        body=RefreshRequest,
        response=TokenResponse,
        auth=PUBLIC,
        errors=(401,),
        no_store=True,
    ),
    Endpoint(
        "POST",
        "/v1/auth/logout",
        log_out,
        "End the login the refresh token belongs to",
        TAG,
        body=RefreshRequest,
        status=204,
        auth=PUBLIC,
    ),
]
