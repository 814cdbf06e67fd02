"""Shapes shared by every part of the API: errors and pages."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Request bodies: an unknown field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class FieldError(BaseModel):
    field: str = Field(description="The body field, query or path parameter (`body`: the whole)")
    code: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str


class ValidationProblem(Problem):
    """A 422: `errors` lists what is wrong with each field, whether the request's shape or a
    rule of the service refused it."""

    errors: list[FieldError] = Field(min_length=1)


class PageQuery(BaseModel):
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


class KeepsNulls(BaseModel):
    """Staff and back-office answers: a value that is not there is sent as an explicit null,
    which is what their clients read (the app's answers leave nulls out instead)."""
