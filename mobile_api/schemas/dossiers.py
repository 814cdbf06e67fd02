"""Dossiers: the owner's list and detail, and what a lookup by code may show."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.catalogue import localised_name, text
from domain.dossiers.owner_views import DossierDetail
from domain.dossiers.records import is_overdue
from mobile_api.schemas.catalogue import OfficeOut
from mobile_api.schemas.common import PageQuery, Strict
from models import Dossier, DossierEvent
from models.enums import DossierStatus


class ProcedureRef(BaseModel):
    code: str
    name: str


class DossierSummary(BaseModel):
    code: str
    status: DossierStatus
    status_text: str
    procedure: ProcedureRef
    received_at: datetime
    due_at: datetime
    overdue: bool
    finished_at: datetime | None = None

    @classmethod
    def of(cls, dossier: Dossier, language: str) -> DossierSummary:
        return cls(
            code=dossier.code,
            status=dossier.status,
            status_text=text(f"status.{dossier.status.value}", language),
            procedure=ProcedureRef(
                code=dossier.procedure.code, name=localised_name(dossier.procedure, language)
            ),
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            overdue=is_overdue(dossier),
            finished_at=dossier.finished_at,
        )


class DossierQuery(PageQuery):
    status: DossierStatus | None = None


class PendingApplication(BaseModel):
    """An online application not (or not yet) a dossier: waiting for review, or refused."""

    id: int
    status: str
    status_text: str
    procedure: ProcedureRef
    submitted_at: datetime | None = None
    refusal_reason: str | None = None


class DossierPage(BaseModel):
    items: list[DossierSummary]
    next_cursor: str | None = None
    applications: list[PendingApplication] = Field(
        default=[],
        description="First page only: applications submitted online and not yet accepted, "
        "or refused; an accepted one is listed as its dossier",
    )


class TimelineEntry(BaseModel):
    status: DossierStatus
    status_text: str
    from_status: DossierStatus | None = None
    note: str | None = None
    at: datetime

    @classmethod
    def of(cls, event: DossierEvent, language: str) -> TimelineEntry:
        return cls(
            status=event.to_status,
            status_text=text(f"status.{event.to_status.value}", language),
            from_status=event.from_status,
            note=event.note or None,
            at=event.created_at,
        )


class DossierOut(DossierSummary):
    office: OfficeOut
    status_note: str | None = None
    promised_at: datetime | None = Field(
        default=None, description="new date promised after a missed deadline"
    )
    next_step: str
    timeline: list[TimelineEntry]

    @classmethod
    def detail(cls, view: DossierDetail, language: str) -> DossierOut:
        dossier = view.dossier
        return cls(
            **DossierSummary.of(dossier, language).model_dump(),
            office=OfficeOut.of(dossier.office, language, with_agency=False),
            status_note=dossier.status_note or None,
            promised_at=dossier.promised_at,
            next_step=view.next_step,
            timeline=[TimelineEntry.of(e, language) for e in view.timeline],
        )


class LookupRequest(Strict):
    code: str = Field(min_length=1, max_length=48, examples=["H29.99-261005-0001"])
    cccd_last4: str | None = Field(default=None, pattern=r"^\d{4}$")


class LookupResult(BaseModel):
    """`full` is false when only the status may be shown: give the owner's CCCD last 4 digits
    to see the rest."""

    code: str
    status: DossierStatus
    status_text: str
    full: bool
    dossier: DossierOut | None = None
