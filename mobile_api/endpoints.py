"""One declaration per API operation: its path, the pydantic models that validate its input and
shape its output, and its handler. Routes and the OpenAPI document are both built from it, so
the contract cannot drift from the code.

A handler receives a `Call` (validated body and query, path parameters, the signed-in citizen)
and returns a pydantic model, or None for 204. Responses leave out null fields.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.catalogue import has_text, text
from domain.errors import NotFound, Unauthorized
from domain.tokens import authenticate_access_token
from mobile_api.paging import MAX_ID
from mobile_api.problems import problem, request_language
from models import Citizen
from models.enums import Language


@dataclass
class Call:
    request: Request
    body: Any
    query: Any
    path: dict[str, Any]
    citizen_or_none: Citizen | None

    @property
    def citizen(self) -> Citizen:
        if self.citizen_or_none is None:
            raise Unauthorized("unauthorized", "this operation needs a signed-in citizen")
        return self.citizen_or_none

    @property
    def language(self) -> Language:
        return Language(request_language(self.request))

    @property
    def secret(self) -> str:
        return str(self.request.app.state.settings.secret_key)

    @property
    def client_address(self) -> str:
        return self.request.client.host if self.request.client else "unknown"


Handler = Callable[[Call], Awaitable[BaseModel | None]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = True
    errors: tuple[int, ...] = field(default=())


class BadInput(Exception):
    """Input the endpoint's models refused; rendered as 422 with one entry per field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors


def _field_errors(exc: ValidationError, language: str) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors(include_url=False, include_input=False):
        key = f"validation.{error['type']}"
        message = text(key if has_text(key) else "validation.invalid", language)
        location = ".".join(str(part) for part in error["loc"]) or "body"
        errors.append({"field": location, "code": error["type"], "message": message})
    return errors


def _one_error(request: Request, field: str, code: str) -> BadInput:
    message = text(f"validation.{code}", request_language(request))
    return BadInput([{"field": field, "code": code, "message": message}])


def _holds_nul(data: Any) -> bool:
    """PostgreSQL text cannot hold NUL: refuse it at the door rather than fail in the database."""
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_holds_nul(v) for v in data)
    return False


async def _read_body(request: Request, model: type[BaseModel]) -> BaseModel:
    raw = await request.body()
    try:
        data = json.loads(raw) if raw else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _one_error(request, "body", "json_invalid") from None
    if _holds_nul(data):
        raise _one_error(request, "body", "nul_character")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadInput(_field_errors(exc, request_language(request))) from None


def _read_query(request: Request, model: type[BaseModel]) -> BaseModel:
    if _holds_nul(dict(request.query_params)):
        raise _one_error(request, "query", "nul_character")
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise BadInput(_field_errors(exc, request_language(request))) from None


async def _current_citizen(request: Request) -> Citizen:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("unauthorized", "no bearer token")
    secret = str(request.app.state.settings.secret_key)
    return await authenticate_access_token(token=token.strip(), secret=secret)


def _out_of_range(value: Any) -> bool:
    """Ids past the database's integer range, or text it cannot store, name nothing."""
    if isinstance(value, int):
        return value > MAX_ID
    return isinstance(value, str) and _holds_nul(value)


def render(model: BaseModel | None, status: int) -> Response:
    if model is None:
        return Response(status_code=204)
    return JSONResponse(model.model_dump(mode="json", exclude_none=True), status_code=status)


def route(endpoint: Endpoint) -> Route:
    """A Starlette route that authenticates, validates, calls the handler and renders."""

    async def serve(request: Request) -> Response:
        path = dict(request.path_params)
        if any(_out_of_range(value) for value in path.values()):
            raise NotFound("not_found", "no such resource")
        citizen = await _current_citizen(request) if endpoint.auth else None
        try:
            query = _read_query(request, endpoint.query) if endpoint.query else None
            body = await _read_body(request, endpoint.body) if endpoint.body else None
        except BadInput as bad:
            return problem(request, code="validation_failed", status=422, errors=bad.errors)
        call = Call(request, body, query, path, citizen)
        return render(await endpoint.handler(call), endpoint.status)

    return Route(endpoint.path, serve, methods=[endpoint.method], name=endpoint.handler.__name__)
