"""One declaration per API operation: its path, who may call it, the pydantic models that validate
its input and shape its output, and its handler. Routes and the OpenAPI document are both built
from it, so the contract cannot drift from the code.

A handler receives a `Call` (validated body and query, path parameters, the caller its `Access`
let in) and returns a pydantic model, a `Reply` when the endpoint declares more than one success
status, or None for 204. Responses leave out null fields, except models that keep them
(`KeepsNulls`: the staff API and the webhook, whose clients read explicit nulls).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.catalogue import has_text, text
from domain.errors import DomainError, NotFound, Unauthorized
from domain.staff.audit import StaffCaller
from infra.json_input import JsonRefused, read_json
from mobile_api.access import CITIZEN, Access, Caller, check_role, identify
from mobile_api.paging import MAX_ID
from mobile_api.problems import problem, request_language
from mobile_api.request_body import UPLOAD, ClassedRoute
from mobile_api.schemas.common import KeepsNulls
from models import Citizen
from models.enums import Language


@dataclass
class Call:
    request: Request
    body: Any
    query: Any
    path: dict[str, Any]
    caller: Caller

    @property
    def citizen(self) -> Citizen:
        if self.caller.citizen is None:
            raise Unauthorized("unauthorized", "this operation needs a signed-in citizen")
        return self.caller.citizen

    @property
    def staff(self) -> StaffCaller:
        if self.caller.staff is None:
            raise Unauthorized("staff_token_missing", "this operation needs a staff login")
        return self.caller.staff

    @property
    def language(self) -> Language:
        return Language(request_language(self.request))

    @property
    def secret(self) -> str:
        return str(self.request.app.state.settings.secret_key)

    @property
    def client_address(self) -> str:
        return self.request.client.host if self.request.client else "unknown"


@dataclass(frozen=True)
class Reply:
    """An answer with one of the endpoint's other success statuses (`also`)."""

    model: BaseModel
    status: int


Answer: TypeAlias = BaseModel | Reply | Response | None
Handler = Callable[[Call], Awaitable[Answer]]


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
    auth: Access = CITIZEN
    errors: tuple[int, ...] = field(default=())
    also: tuple[int, ...] = field(default=())
    # The problem `type` of a 422 from the models; the staff API and the webhook keep theirs.
    invalid: str = "validation_failed"
    no_store: bool = False
    # A domain error's field under this operation's name for it, where the two differ
    # (the domain's `phone` is the webhook's `citizen_phone`).
    fields: Mapping[str, str] = field(default_factory=dict)
    # A multipart upload the handler streams itself, under the `upload` body limit.
    upload: bool = False
    # The handler answers a file (a Starlette Response) rather than a model.
    file: bool = False
    # Request headers the operation reads, for the document: name -> description.
    headers: Mapping[str, str] = field(default_factory=dict)


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
    return _refusal(request, code, (field,))


def _refusal(request: Request, code: str, fields: tuple[str, ...]) -> BadInput:
    message = text(f"validation.{code}", request_language(request))
    return BadInput([{"field": field, "code": code, "message": message} for field in fields])


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
    if not raw:  # the document marks every request body required; none is not `{}`
        raise _one_error(request, "body", "missing")
    try:
        data = read_json(raw)
    except JsonRefused as refused:
        raise _refusal(request, refused.code, refused.fields) from None
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


def _out_of_range(value: Any) -> bool:
    """Ids past the database's integer range, or text it cannot store, name nothing."""
    if isinstance(value, int):
        return value > MAX_ID
    return isinstance(value, str) and _holds_nul(value)


def render(answer: Answer, endpoint: Endpoint) -> Response:
    headers = {"Cache-Control": "no-store"} if endpoint.no_store else None
    if answer is None:
        return Response(status_code=204, headers=headers)
    if isinstance(answer, Response):
        return answer
    model, status = (answer.model, answer.status) if isinstance(answer, Reply) else (answer, None)
    if status is not None and status not in endpoint.also:
        raise ValueError(f"{endpoint.handler.__name__} answered {status}, not declared")
    content = model.model_dump(
        mode="json", by_alias=True, exclude_none=not isinstance(model, KeepsNulls)
    )
    return JSONResponse(content, status_code=status or endpoint.status, headers=headers)


def _bad_input(request: Request, endpoint: Endpoint, bad: BadInput) -> Response:
    fields = ", ".join(sorted({error["field"] for error in bad.errors}))
    return problem(
        request,
        code=endpoint.invalid,
        status=422,
        params={"fields": fields},
        errors=bad.errors,
    )


def route(endpoint: Endpoint) -> Route:
    """A Starlette route that authenticates, validates, checks the role, calls the handler and
    renders."""

    async def serve(request: Request) -> Response:
        path = dict(request.path_params)
        if any(_out_of_range(value) for value in path.values()):
            raise NotFound("not_found", "no such resource")
        caller = await identify(request, endpoint.auth)
        try:
            query = _read_query(request, endpoint.query) if endpoint.query else None
            body = await _read_body(request, endpoint.body) if endpoint.body else None
        except BadInput as bad:
            return _bad_input(request, endpoint, bad)
        check_role(caller, endpoint.auth)
        call = Call(request, body, query, path, caller)
        try:
            answer = await endpoint.handler(call)
        except DomainError as error:
            if error.field is not None and error.field in endpoint.fields:
                error.field = error.params["field"] = endpoint.fields[error.field]
            raise
        return render(answer, endpoint)

    name = endpoint.handler.__name__
    if endpoint.upload:
        return ClassedRoute(
            endpoint.path, serve, body_class=UPLOAD, methods=[endpoint.method], name=name
        )
    return Route(endpoint.path, serve, methods=[endpoint.method], name=name)
