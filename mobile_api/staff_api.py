"""The staff API under /v1/staff: call-centre agents, counter officers, admins. Thin: each route
parses, calls one domain function (which checks the role and writes the audit row), renders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.audit import list_audit
from domain.catalogue import localised_name, text
from domain.counter import move_as_staff, register_at_counter
from domain.staff import authenticate_staff, require_permission
from domain.staff_desk import (
    DossierWithTimeline,
    book_for_citizen,
    cancel_for_citizen,
    find_citizen_for_staff,
    resend_notification,
    view_citizen_appointments,
    view_citizen_dossiers,
    view_citizen_notifications,
)
from domain.staff_tokens import issue_staff_token
from mobile_api.problems import request_language
from mobile_api.staff_auth import client_address, read_body, require_staff
from models import Appointment, AuditLog, Citizen, Dossier, OutboxMessage
from models.enums import Language


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class SearchBody(BaseModel):
    phone: str = Field(min_length=1, max_length=32)
    reason: str = Field(default="", max_length=500)


class BookBody(BaseModel):
    slot_id: int
    reason: str = Field(max_length=500)


class ReasonBody(BaseModel):
    reason: str = Field(max_length=500)


class RegisterBody(BaseModel):
    phone: str = Field(min_length=1, max_length=32)
    procedure_code: str = Field(min_length=1, max_length=32)
    office_id: int | None = None
    full_name: str = Field(default="", max_length=200)
    language: Language = Language.VI


class MoveBody(BaseModel):
    to_status: str = Field(min_length=1, max_length=24)
    reason: str = Field(default="", max_length=500)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def citizen_json(citizen: Citizen) -> dict[str, Any]:
    return {
        "id": citizen.id,
        "full_name": citizen.full_name,
        "phone": citizen.phone,
        "language": str(citizen.language),
    }


def dossier_json(dossier: Dossier, language: str) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "status": str(dossier.status),
        "status_text": text(f"status.{dossier.status}", language),
        "status_note": dossier.status_note,
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at),
    }


def dossier_with_timeline_json(item: DossierWithTimeline, language: str) -> dict[str, Any]:
    dossier = item.dossier
    return {
        **dossier_json(dossier, language),
        "overdue": item.overdue,
        "procedure": {
            "code": dossier.procedure.code,
            "name": localised_name(dossier.procedure, language),
        },
        "office": {"id": dossier.office.id, "name": localised_name(dossier.office, language)},
        "timeline": [
            {
                "from_status": str(event.from_status) if event.from_status else None,
                "to_status": str(event.to_status),
                "at": _iso(event.created_at),
                "actor": event.actor,
                "note": event.note,
            }
            for event in item.events
        ],
    }


def appointment_json(appointment: Appointment, language: str) -> dict[str, Any]:
    slot = appointment.slot
    return {
        "id": appointment.id,
        "status": str(appointment.status),
        "starts_at": _iso(slot.starts_at),
        "office": {"id": slot.office.id, "name": localised_name(slot.office, language)},
    }


def notification_json(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": str(message.id),
        "template": message.template,
        "channel": str(message.channel),
        "status": str(message.status),
        "body": message.body,
        "created_at": _iso(message.created_at),
        "sent_at": _iso(message.sent_at),
        "delivered_at": _iso(message.delivered_at),
        "last_error": message.last_error,
    }


def audit_json(row: AuditLog) -> dict[str, Any]:
    return {
        "id": row.id,
        "staff": row.staff.username if row.staff else None,
        "role": row.role,
        "action": row.action,
        "citizen_id": row.citizen_id,
        "subject": row.subject,
        "reason": row.reason,
        "client_address": row.client_address,
        "at": _iso(row.created_at),
    }


async def login(request: Request) -> Response:
    body = await read_body(request, LoginBody)
    settings = request.app.state.settings
    user = await authenticate_staff(
        username=body.username, password=body.password, client_address=client_address(request)
    )
    lifetime = timedelta(minutes=settings.staff_token_minutes)
    token = issue_staff_token(staff=user, secret=str(settings.secret_key), lifetime=lifetime)
    agency = await user.agency
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(lifetime.total_seconds()),
            "role": str(user.role),
            "agency": agency.code if agency else None,
        },
        headers={"Cache-Control": "no-store"},
    )


async def search_citizen(request: Request) -> Response:
    caller = await require_staff(request)
    body = await read_body(request, SearchBody)
    citizen = await find_citizen_for_staff(caller=caller, phone=body.phone, reason=body.reason)
    return JSONResponse(citizen_json(citizen))


async def citizen_dossiers(request: Request) -> Response:
    caller = await require_staff(request)
    citizen, items = await view_citizen_dossiers(
        caller=caller,
        citizen_id=request.path_params["citizen_id"],
        reason=request.query_params.get("reason", ""),
    )
    language = request_language(request)
    return JSONResponse(
        {
            "citizen": citizen_json(citizen),
            "items": [dossier_with_timeline_json(item, language) for item in items],
        }
    )


async def citizen_appointments(request: Request) -> Response:
    caller = await require_staff(request)
    citizen, items = await view_citizen_appointments(
        caller=caller,
        citizen_id=request.path_params["citizen_id"],
        reason=request.query_params.get("reason", ""),
    )
    language = request_language(request)
    return JSONResponse({"items": [appointment_json(a, language) for a in items]})


async def citizen_notifications(request: Request) -> Response:
    caller = await require_staff(request)
    citizen, items = await view_citizen_notifications(
        caller=caller,
        citizen_id=request.path_params["citizen_id"],
        reason=request.query_params.get("reason", ""),
    )
    return JSONResponse({"items": [notification_json(m) for m in items]})


async def book(request: Request) -> Response:
    caller = await require_staff(request)
    body = await read_body(request, BookBody)
    appointment = await book_for_citizen(
        caller=caller,
        citizen_id=request.path_params["citizen_id"],
        slot_id=body.slot_id,
        reason=body.reason,
    )
    await appointment.fetch_related("slot", "slot__office")
    return JSONResponse(appointment_json(appointment, request_language(request)), status_code=201)


async def cancel(request: Request) -> Response:
    caller = await require_staff(request)
    body = await read_body(request, ReasonBody)
    appointment = await cancel_for_citizen(
        caller=caller,
        citizen_id=request.path_params["citizen_id"],
        appointment_id=request.path_params["appointment_id"],
        reason=body.reason,
    )
    await appointment.fetch_related("slot", "slot__office")
    return JSONResponse(appointment_json(appointment, request_language(request)))


async def resend(request: Request) -> Response:
    caller = await require_staff(request)
    body = await read_body(request, ReasonBody)
    message = await resend_notification(
        caller=caller,
        citizen_id=request.path_params["citizen_id"],
        message_id=request.path_params["message_id"],
        reason=body.reason,
    )
    return JSONResponse(notification_json(message), status_code=202)


async def register_dossier(request: Request) -> Response:
    caller = await require_staff(request)
    body = await read_body(request, RegisterBody)
    dossier = await register_at_counter(
        caller=caller,
        phone=body.phone,
        procedure_code=body.procedure_code,
        office_id=body.office_id,
        full_name=body.full_name,
        language=body.language,
    )
    await dossier.fetch_related("procedure", "office")
    language = request_language(request)
    receipt = {
        **dossier_json(dossier, language),
        "procedure": {
            "code": dossier.procedure.code,
            "name": localised_name(dossier.procedure, language),
        },
        "office": {"id": dossier.office.id, "name": localised_name(dossier.office, language)},
    }
    return JSONResponse(receipt, status_code=201)


async def move(request: Request) -> Response:
    caller = await require_staff(request)
    body = await read_body(request, MoveBody)
    dossier = await move_as_staff(
        caller=caller,
        code=request.path_params["code"],
        to_status=body.to_status,
        reason=body.reason,
    )
    return JSONResponse(dossier_json(dossier, request_language(request)))


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() else None


async def audit_trail(request: Request) -> Response:
    caller = await require_staff(request)
    require_permission(caller.user, "audit.read")
    limit = min(_int_param(request, "limit") or 50, 200)
    rows = await list_audit(
        citizen_id=_int_param(request, "citizen_id"),
        staff_id=_int_param(request, "staff_id"),
        action=request.query_params.get("action") or None,
        before_id=_int_param(request, "before_id"),
        limit=limit,
    )
    next_cursor = rows[-1].id if len(rows) == limit else None
    return JSONResponse({"items": [audit_json(r) for r in rows], "next_before_id": next_cursor})


routes = [
    Route("/v1/staff/auth/login", login, methods=["POST"]),
    Route("/v1/staff/citizens/search", search_citizen, methods=["POST"]),
    Route("/v1/staff/citizens/{citizen_id:int}/dossiers", citizen_dossiers, methods=["GET"]),
    Route(
        "/v1/staff/citizens/{citizen_id:int}/appointments", citizen_appointments, methods=["GET"]
    ),
    Route("/v1/staff/citizens/{citizen_id:int}/appointments", book, methods=["POST"]),
    Route(
        "/v1/staff/citizens/{citizen_id:int}/appointments/{appointment_id:int}/cancel",
        cancel,
        methods=["POST"],
    ),
    Route(
        "/v1/staff/citizens/{citizen_id:int}/notifications",
        citizen_notifications,
        methods=["GET"],
    ),
    Route(
        "/v1/staff/citizens/{citizen_id:int}/notifications/{message_id}/resend",
        resend,
        methods=["POST"],
    ),
    Route("/v1/staff/dossiers", register_dossier, methods=["POST"]),
    Route("/v1/staff/dossiers/{code}/moves", move, methods=["POST"]),
    Route("/v1/staff/audit", audit_trail, methods=["GET"]),
]
