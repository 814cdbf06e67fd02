"""Online applications: a procedure's form, drafts and their documents, what the citizen sees
after submitting, and what an officer reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from domain.applications.forms import NAME, DocumentSpec, FieldSpec, FormSpec
from domain.applications.views import ApplicationState
from domain.catalogue import localised_name, text
from mobile_api.schemas.common import PageQuery, Strict
from mobile_api.schemas.dossiers import ProcedureRef
from models import ApplicationDocument, Procedure, ProcedureForm
from models.enums import ApplicationChannel, ApplicationStatus, DossierStatus, OnlineLevel

Answer = Annotated[str, Field(max_length=400)] | int | None
Answers = Annotated[dict[Annotated[str, Field(max_length=40)], Answer], Field(max_length=60)]


class ChoiceOut(BaseModel):
    value: str
    label: str


class FieldOut(BaseModel):
    name: str
    type: str
    label: str
    required: bool
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    past_only: bool = False
    choices: list[ChoiceOut] = []

    @classmethod
    def of(cls, spec: FieldSpec, language: str) -> FieldOut:
        return cls(
            name=spec.name,
            type=spec.type,
            label=spec.label(language),
            required=spec.required,
            max_length=spec.max_length,
            minimum=spec.minimum,
            maximum=spec.maximum,
            past_only=spec.past_only,
            choices=[
                ChoiceOut(value=c.value, label=c.label_en if language == "en" else c.label_vi)
                for c in spec.choices
            ],
        )


class DocumentKindOut(BaseModel):
    kind: str
    name: str
    required: bool
    types: list[str]
    max_bytes: int
    photo_ok: bool
    max_files: int

    @classmethod
    def of(cls, spec: DocumentSpec, language: str) -> DocumentKindOut:
        return cls(
            kind=spec.kind,
            name=spec.name(language),
            required=spec.required,
            types=list(spec.types),
            max_bytes=spec.max_bytes,
            photo_ok=spec.photo_ok,
            max_files=spec.max_files,
        )


class FormOut(BaseModel):
    procedure: ProcedureRef
    online_level: OnlineLevel
    version: int
    fields: list[FieldOut]
    documents: list[DocumentKindOut]

    @classmethod
    def of(
        cls, procedure: Procedure, form: ProcedureForm, spec: FormSpec, language: str
    ) -> FormOut:
        return cls(
            procedure=ProcedureRef(code=procedure.code, name=localised_name(procedure, language)),
            online_level=procedure.online_level,
            version=form.version,
            fields=[FieldOut.of(f, language) for f in spec.fields],
            documents=[DocumentKindOut.of(d, language) for d in spec.documents],
        )


class NewApplication(Strict):
    procedure_code: Annotated[str, Field(min_length=1, max_length=32)]
    answers: Answers = {}
    submit: bool = Field(
        default=False, description="Submit at once (needs an Idempotency-Key header)"
    )


class UploadQuery(BaseModel):
    kind: str = Field(pattern=NAME, description="Which of the form's documents this file is")


class AnswersBody(Strict):
    answers: Answers


class DocumentOut(BaseModel):
    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime

    @classmethod
    def of(cls, row: ApplicationDocument) -> DocumentOut:
        return cls(
            id=row.id,
            kind=row.kind,
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            uploaded_at=row.uploaded_at,
        )


class DossierRef(BaseModel):
    code: str
    status: DossierStatus
    status_text: str
    due_at: datetime


class AskedItem(BaseModel):
    name: str
    label: str


class SupplementOut(BaseModel):
    fields: list[AskedItem]
    documents: list[AskedItem]
    note: str
    requested_at: datetime


class ApplicationOut(BaseModel):
    id: int
    status: ApplicationStatus
    status_text: str
    channel: ApplicationChannel
    procedure: ProcedureRef
    form_version: int
    answers: dict[str, Any]
    documents: list[DocumentOut]
    created_at: datetime
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    refusal_reason: str | None = None
    dossier: DossierRef | None = None
    supplement: SupplementOut | None = None

    @classmethod
    def of(cls, state: ApplicationState, language: str) -> ApplicationOut:
        application, spec = state.application, state.spec
        dossier = state.dossier
        asked = state.supplement
        return cls(
            id=application.id,
            status=application.status,
            status_text=text(f"application.status.{application.status.value}", language),
            channel=application.channel,
            procedure=ProcedureRef(
                code=application.procedure.code,
                name=localised_name(application.procedure, language),
            ),
            form_version=application.form.version,
            answers=application.answers,
            documents=[DocumentOut.of(d) for d in state.documents],
            created_at=application.created_at,
            submitted_at=application.submitted_at,
            decided_at=application.decided_at,
            refusal_reason=application.refusal_reason or None,
            dossier=DossierRef(
                code=dossier.code,
                status=dossier.status,
                status_text=text(f"status.{dossier.status.value}", language),
                due_at=dossier.due_at,
            )
            if dossier
            else None,
            supplement=SupplementOut(
                fields=[
                    AskedItem(name=n, label=f.label(language))
                    for n in asked.fields_asked
                    if (f := spec.field(n))
                ],
                documents=[
                    AskedItem(name=k, label=d.name(language))
                    for k in asked.documents_asked
                    if (d := spec.document(k))
                ],
                note=asked.note,
                requested_at=asked.requested_at,
            )
            if asked
            else None,
        )


class ApplicationSummary(BaseModel):
    id: int
    status: ApplicationStatus
    status_text: str
    procedure: ProcedureRef
    submitted_at: datetime | None = None
    dossier_code: str | None = None
    refusal_reason: str | None = None


class ApplicationPage(BaseModel):
    items: list[ApplicationSummary]
    next_cursor: str | None = None


class ApplicationQuery(PageQuery):
    status: ApplicationStatus | None = None
