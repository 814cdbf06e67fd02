"""`POST /v1/integrations/dossier-events`: the back-office webhook. Thin: check the signature,
parse, apply through `domain/backoffice.py`, render. The contract is in README."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, RootModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.backoffice import MoveOrder, ReceiveOrder, apply_backoffice_event, verify_signature
from domain.errors import DomainError
from mobile_api.problems import request_language
from mobile_api.staff_api import dossier_json
from mobile_api.staff_auth import read_body
from models.enums import Language

MAX_BODY = 64 * 1024
TIMESTAMP_HEADER = "x-mgov-timestamp"
SIGNATURE_HEADER = "x-mgov-signature"


class ReceivedEvent(BaseModel):
    type: Literal["dossier.received"]
    event_id: str = Field(min_length=1, max_length=100)
    citizen_phone: str = Field(min_length=1, max_length=32)
    citizen_name: str = Field(default="", max_length=200)
    language: Language = Language.VI
    procedure_code: str = Field(min_length=1, max_length=32)
    agency_code: str | None = Field(default=None, max_length=32)
    office_id: int | None = None


class MovedEvent(BaseModel):
    type: Literal["dossier.moved"]
    event_id: str = Field(min_length=1, max_length=100)
    dossier_code: str = Field(min_length=1, max_length=48)
    to_status: str = Field(min_length=1, max_length=24)
    note: str = Field(default="", max_length=500)


class DossierEventBody(
    RootModel[Annotated[ReceivedEvent | MovedEvent, Field(discriminator="type")]]
):
    pass


async def dossier_events(request: Request) -> Response:
    secret = str(request.app.state.settings.backoffice_secret)
    if not secret:
        raise DomainError("webhook_not_configured", "MGOV_BACKOFFICE_SECRET is not set", status=503)
    body = await request.body()
    if len(body) > MAX_BODY:
        raise DomainError("webhook_body_too_large", "body over 64 KiB", status=413)
    verify_signature(
        secret=secret,
        timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        signature=request.headers.get(SIGNATURE_HEADER, ""),
        body=body,
    )
    event = (await read_body(request, DossierEventBody)).root
    if isinstance(event, ReceivedEvent):
        change: ReceiveOrder | MoveOrder = ReceiveOrder(
            phone=event.citizen_phone,
            procedure_code=event.procedure_code,
            agency_code=event.agency_code,
            office_id=event.office_id,
            full_name=event.citizen_name,
            language=event.language,
        )
    else:
        change = MoveOrder(
            dossier_code=event.dossier_code, to_status=event.to_status, note=event.note
        )
    dossier = await apply_backoffice_event(event_id=event.event_id, change=change)
    return JSONResponse(
        {"event_id": event.event_id, "dossier": dossier_json(dossier, request_language(request))},
        status_code=201 if isinstance(event, ReceivedEvent) else 200,
    )


routes = [Route("/v1/integrations/dossier-events", dossier_events, methods=["POST"])]
