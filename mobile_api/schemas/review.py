"""The officers' review queue and an application's file, and publishing a form (admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from domain.applications.review import ApplicationFile, Waiting
from domain.catalogue import text
from mobile_api.schemas.common import KeepsNulls
from mobile_api.schemas.staff import CitizenCard, NamedRef
from models import ProcedureForm
from models.enums import ApplicationChannel, ApplicationStatus, OnlineLevel

Name = Annotated[str, Field(min_length=1, max_length=40)]


class QueueQuery(BaseModel):
    agency: str | None = Field(default=None, max_length=32, description="Admins: one agency")
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=200)


class QueueItem(KeepsNulls):
    id: int
    procedure: NamedRef
    citizen: CitizenCard
    channel: ApplicationChannel
    submitted_at: datetime
    waiting_hours: float = Field(description="Office hours on working days since submission")

    @classmethod
    def of(cls, waiting: Waiting, language: str) -> QueueItem:
        application = waiting.application
        assert application.submitted_at is not None
        return cls(
            id=application.id,
            procedure=NamedRef.of(application.procedure, language),
            citizen=CitizenCard.of(application.citizen),
            channel=application.channel,
            submitted_at=application.submitted_at,
            waiting_hours=round(waiting.waiting_hours, 1),
        )


class ReviewQueue(KeepsNulls):
    items: list[QueueItem]
    next_cursor: str | None


class AnswerRow(KeepsNulls):
    name: str
    label: str
    value: Any


class FileDocument(KeepsNulls):
    id: int
    kind: str
    name: str
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class ReviewFile(KeepsNulls):
    id: int
    status: ApplicationStatus
    status_text: str
    channel: ApplicationChannel
    procedure: NamedRef
    citizen: CitizenCard
    form_version: int
    submitted_at: datetime | None
    answers: list[AnswerRow]
    documents: list[FileDocument]
    dossier_code: str | None
    refusal_reason: str | None

    @classmethod
    def of(cls, found: ApplicationFile, language: str) -> ReviewFile:
        application, spec = found.application, found.spec
        return cls(
            id=application.id,
            status=application.status,
            status_text=text(f"application.status.{application.status.value}", language),
            channel=application.channel,
            procedure=NamedRef.of(application.procedure, language),
            citizen=CitizenCard.of(application.citizen),
            form_version=application.form.version,
            submitted_at=application.submitted_at,
            answers=[
                AnswerRow(
                    name=f.name, label=f.label(language), value=application.answers.get(f.name)
                )
                for f in spec.fields
            ],
            documents=[
                FileDocument(
                    id=d.id,
                    kind=d.kind,
                    name=spec_doc.name(language) if (spec_doc := spec.document(d.kind)) else d.kind,
                    filename=d.filename,
                    content_type=d.content_type,
                    size=d.size,
                    uploaded_at=d.uploaded_at,
                )
                for d in found.documents
            ],
            dossier_code=application.dossier.code if application.dossier else None,
            refusal_reason=application.refusal_reason or None,
        )


class AcceptBody(BaseModel):
    office_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class RefuseBody(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class SupplementBody(BaseModel):
    fields: Annotated[list[Name], Field(max_length=60)] = []
    documents: Annotated[list[Name], Field(max_length=30)] = []
    note: Annotated[str, Field(max_length=500)] = ""
    office_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class FormBody(BaseModel):
    online_level: OnlineLevel
    short_code: Annotated[str, Field(max_length=16)] | None = Field(
        default=None, description="Set it to let basic phones request this (USSD, SMS NOP)"
    )
    needs_cccd: bool = False
    fields: Annotated[list[dict[str, Any]], Field(max_length=60)] = []
    documents: Annotated[list[dict[str, Any]], Field(max_length=30)] = []


class FormVersion(KeepsNulls):
    procedure_code: str
    version: int
    published_by: str
    published_at: datetime

    @classmethod
    def of(cls, form: ProcedureForm, code: str) -> FormVersion:
        return cls(
            procedure_code=code,
            version=form.version,
            published_by=form.published_by,
            published_at=form.published_at,
        )
