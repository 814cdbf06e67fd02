"""Logging in: a code by SMS, then tokens."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from mobile_api.schemas.common import Strict

PHONE = Field(min_length=1, max_length=32, examples=["0901234567"])


class OtpRequest(Strict):
    phone: str = PHONE


class OtpSent(BaseModel):
    expires_in: int = Field(description="seconds the code stays valid")


class TokenRequest(Strict):
    phone: str = PHONE
    code: str = Field(pattern=r"^\d{6}$", examples=["123456"])


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=1, max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="seconds the access token stays valid")
