"""The staff API under /v1/staff: call-centre agents, counter officers, admins. Thin: each handler
calls one domain function (which checks the role and writes the audit row) and renders; the
endpoint declarations below also make its part of the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

from domain.auth.staff_tokens import issue_staff_token
from domain.dossiers.counter_desk import move_as_staff, register_at_counter
from domain.staff.accounts import authenticate_staff
from domain.staff.audit import list_audit
from domain.staff.call_desk import (
    book_for_citizen,
    cancel_for_citizen,
    find_citizen_for_staff,
    resend_notification,
    view_citizen_appointments,
    view_citizen_dossiers,
    view_citizen_notifications,
)
from mobile_api.access import PUBLIC, staff
from mobile_api.endpoints import Call, Endpoint
from mobile_api.schemas.staff import (
    AuditPage,
    AuditQuery,
    AuditRow,
    BookBody,
    CitizenCard,
    CitizenDossiers,
    DossierFile,
    LoginBody,
    MoveBody,
    ReasonBody,
    ReasonQuery,
    Receipt,
    RegisterBody,
    SearchBody,
    StaffAppointment,
    StaffAppointments,
    StaffDossier,
    StaffLogin,
    StaffNotification,
    StaffNotifications,
)
from mobile_api.staff_auth import client_address

AUDIT_PAGE, AUDIT_PAGE_MAX = 50, 200


async def staff_login(call: Call) -> StaffLogin:
    body: LoginBody = call.body
    settings = call.request.app.state.settings
    user = await authenticate_staff(
        username=body.username, password=body.password, client_address=client_address(call.request)
    )
    lifetime = timedelta(minutes=settings.staff_token_minutes)
    await user.fetch_related("agency")
    return StaffLogin(
        access_token=issue_staff_token(staff=user, secret=call.secret, lifetime=lifetime),
        expires_in=int(lifetime.total_seconds()),
        role=str(user.role),
        agency=user.agency.code if user.agency else None,
    )


async def find_citizen(call: Call) -> CitizenCard:
    body: SearchBody = call.body
    citizen = await find_citizen_for_staff(caller=call.staff, phone=body.phone, reason=body.reason)
    return CitizenCard.of(citizen)


async def citizen_dossiers(call: Call) -> CitizenDossiers:
    citizen, items = await view_citizen_dossiers(
        caller=call.staff, citizen_id=call.path["citizen_id"], reason=call.query.reason
    )
    return CitizenDossiers(
        citizen=CitizenCard.of(citizen),
        items=[DossierFile.of_item(item, call.language) for item in items],
    )


async def citizen_appointments(call: Call) -> StaffAppointments:
    _, items = await view_citizen_appointments(
        caller=call.staff, citizen_id=call.path["citizen_id"], reason=call.query.reason
    )
    return StaffAppointments(items=[StaffAppointment.of(a, call.language) for a in items])


async def citizen_notifications(call: Call) -> StaffNotifications:
    _, items = await view_citizen_notifications(
        caller=call.staff, citizen_id=call.path["citizen_id"], reason=call.query.reason
    )
    return StaffNotifications(items=[StaffNotification.of(m) for m in items])


async def book_on_behalf(call: Call) -> StaffAppointment:
    body: BookBody = call.body
    appointment = await book_for_citizen(
        caller=call.staff,
        citizen_id=call.path["citizen_id"],
        slot_id=body.slot_id,
        reason=body.reason,
    )
    await appointment.fetch_related("slot", "slot__office")
    return StaffAppointment.of(appointment, call.language)


async def cancel_on_behalf(call: Call) -> StaffAppointment:
    appointment = await cancel_for_citizen(
        caller=call.staff,
        citizen_id=call.path["citizen_id"],
        appointment_id=call.path["appointment_id"],
        reason=call.body.reason,
    )
    await appointment.fetch_related("slot", "slot__office")
    return StaffAppointment.of(appointment, call.language)


async def resend_alert(call: Call) -> StaffNotification:
    message = await resend_notification(
        caller=call.staff,
        citizen_id=call.path["citizen_id"],
        message_id=call.path["message_id"],
        reason=call.body.reason,
    )
    return StaffNotification.of(message)


async def register_dossier(call: Call) -> Receipt:
    body: RegisterBody = call.body
    dossier = await register_at_counter(
        caller=call.staff,
        phone=body.phone,
        procedure_code=body.procedure_code,
        office_id=body.office_id,
        full_name=body.full_name,
        language=body.language,
    )
    await dossier.fetch_related("procedure", "office")
    return Receipt.of(dossier, call.language)


async def move_dossier(call: Call) -> StaffDossier:
    body: MoveBody = call.body
    dossier = await move_as_staff(
        caller=call.staff, code=call.path["code"], to_status=body.to_status, reason=body.reason
    )
    return StaffDossier.of(dossier, call.language)


async def audit_trail(call: Call) -> AuditPage:
    query: AuditQuery = call.query
    limit = min(query.limit or AUDIT_PAGE, AUDIT_PAGE_MAX)
    rows = await list_audit(
        citizen_id=query.citizen_id,
        staff_id=query.staff_id,
        action=query.action or None,
        before_id=query.before_id,
        limit=limit,
    )
    return AuditPage(
        items=[AuditRow.of(row) for row in rows],
        next_before_id=rows[-1].id if len(rows) == limit else None,
    )


TAG = "staff"
CITIZEN_PATH = "/v1/staff/citizens/{citizen_id:row_id}"
STAFF_BODY = "invalid_body"  # the staff API's 422 type, as its clients know it
endpoints = [
    Endpoint(
        "POST",
        "/v1/staff/auth/login",
        staff_login,
        "Staff login: a staff token carrying the role (throttled per username and address)",
        TAG,
        body=LoginBody,
        response=StaffLogin,
        auth=PUBLIC,
        errors=(401, 429),
        invalid=STAFF_BODY,
        no_store=True,
    ),
    Endpoint(
        "POST",
        "/v1/staff/citizens/search",
        find_citizen,
        "Find the citizen behind a phone number as the caller says it",
        TAG,
        body=SearchBody,
        response=CitizenCard,
        auth=staff("citizen.find"),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "GET",
        f"{CITIZEN_PATH}/dossiers",
        citizen_dossiers,
        "A citizen's dossiers with timelines (an officer sees own agency's only)",
        TAG,
        query=ReasonQuery,
        response=CitizenDossiers,
        auth=staff("citizen.dossiers"),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "GET",
        f"{CITIZEN_PATH}/appointments",
        citizen_appointments,
        "A citizen's upcoming appointments",
        TAG,
        query=ReasonQuery,
        response=StaffAppointments,
        auth=staff("citizen.appointments"),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "POST",
        f"{CITIZEN_PATH}/appointments",
        book_on_behalf,
        "Book a slot on the citizen's behalf (reason required)",
        TAG,
        body=BookBody,
        response=StaffAppointment,
        status=201,
        auth=staff("appointment.book"),
        errors=(409,),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "POST",
        f"{CITIZEN_PATH}/appointments/{{appointment_id:row_id}}/cancel",
        cancel_on_behalf,
        "Cancel an appointment on the citizen's behalf (reason required)",
        TAG,
        body=ReasonBody,
        response=StaffAppointment,
        auth=staff("appointment.cancel"),
        errors=(409,),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "GET",
        f"{CITIZEN_PATH}/notifications",
        citizen_notifications,
        "The last 50 messages sent to a citizen, with delivery status",
        TAG,
        query=ReasonQuery,
        response=StaffNotifications,
        auth=staff("citizen.notifications"),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "POST",
        f"{CITIZEN_PATH}/notifications/{{message_id}}/resend",
        resend_alert,
        "Queue a dossier or appointment alert again (never a login code)",
        TAG,
        body=ReasonBody,
        response=StaffNotification,
        status=202,
        auth=staff("notification.resend"),
        errors=(409,),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "POST",
        "/v1/staff/dossiers",
        register_dossier,
        "Register a dossier received at the counter; the citizen gets the SMS receipt",
        TAG,
        body=RegisterBody,
        response=Receipt,
        status=201,
        auth=staff("dossier.register"),
        invalid=STAFF_BODY,
    ),
    Endpoint(
        "POST",
        "/v1/staff/dossiers/{code}/moves",
        move_dossier,
        "Move a dossier through its lifecycle (reason required for needs_supplement, rejected)",
        TAG,
        body=MoveBody,
        response=StaffDossier,
        auth=staff("dossier.move"),
        errors=(409,),
        invalid=STAFF_BODY,
        fields={"note": "reason"},
    ),
    Endpoint(
        "GET",
        "/v1/staff/audit",
        audit_trail,
        "The audit trail, newest first, in pages by id",
        TAG,
        query=AuditQuery,
        response=AuditPage,
        auth=staff("audit.read"),
        invalid=STAFF_BODY,
    ),
]
