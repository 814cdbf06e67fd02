"""Shapes shared by every part of the API: errors and pages."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Request bodies: an unknown field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class FieldError(BaseModel):
    field: str
    code: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details; `errors` lists what is wrong with each field on a 422."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


class PageQuery(BaseModel):
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


class KeepsNulls(BaseModel):
    """Staff and back-office answers: a value that is not there is sent as an explicit null,
    which is what their clients read (the app's answers leave nulls out instead)."""
