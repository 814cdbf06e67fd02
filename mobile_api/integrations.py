"""`POST /v1/integrations/dossier-events`: the back-office webhook. Thin: the route checks the
signature (`access.SIGNED`) and parses; this applies the event through
`domain/dossiers/backoffice_sync.py` and renders. The contract is in docs/api.md and the
OpenAPI document."""

from __future__ import annotations

from domain.dossiers.backoffice_sync import MoveOrder, ReceiveOrder, apply_backoffice_event
from mobile_api.access import SIGNED
from mobile_api.endpoints import Call, Endpoint, Reply
from mobile_api.schemas.backoffice import DossierEventBody, EventApplied, ReceivedEvent
from mobile_api.schemas.staff import StaffDossier


async def dossier_events(call: Call) -> Reply | EventApplied:
    body: DossierEventBody = call.body
    event = body.root
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
    applied = EventApplied(event_id=event.event_id, dossier=StaffDossier.of(dossier, call.language))
    return Reply(applied, 201) if isinstance(event, ReceivedEvent) else applied


endpoints = [
    Endpoint(
        "POST",
        "/v1/integrations/dossier-events",
        dossier_events,
        "Back-office event: a dossier received (201, created) or moved (200); signed with "
        "HMAC-SHA256 over `<X-Mgov-Timestamp>.<raw body>`, refused outside 5 minutes, applied once",
        "integrations",
        body=DossierEventBody,
        response=EventApplied,
        auth=SIGNED,
        errors=(409, 503),
        also=(201,),
        invalid="invalid_body",
        fields={"phone": "citizen_phone"},
    )
]
