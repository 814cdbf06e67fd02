"""Online service requests: a procedure's versioned form, a citizen's application filled against
one version, the documents attached to it, and what an officer asked to be supplemented."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from models.enums import ApplicationChannel, ApplicationStatus

if TYPE_CHECKING:
    from models.agencies import Agency, Office, Procedure
    from models.citizens import Citizen
    from models.dossiers import Dossier


class ProcedureForm(Model):
    """One published version of what a procedure asks for. Never changed once published: an
    application keeps the version it was filled against, so a later edit cannot invalidate it."""

    id = fields.IntField(primary_key=True)
    procedure: fields.ForeignKeyRelation[Procedure] = fields.ForeignKeyField(
        "models.Procedure", related_name="forms", on_delete=fields.CASCADE
    )
    procedure_id: int
    version = fields.IntField()
    fields_spec: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    documents_spec: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    published_by = fields.CharField(max_length=64, default="")
    published_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "procedure_form"
        unique_together = (("procedure_id", "version"),)


class Application(Model):
    """A citizen's request for one procedure, from draft to an officer's decision. Accepted, it
    becomes a dossier (`dossier`), which then follows the dossier lifecycle."""

    id = fields.IntField(primary_key=True)
    citizen: fields.ForeignKeyRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="applications", on_delete=fields.RESTRICT
    )
    citizen_id: int
    procedure: fields.ForeignKeyRelation[Procedure] = fields.ForeignKeyField(
        "models.Procedure", related_name="applications", on_delete=fields.RESTRICT
    )
    procedure_id: int
    # The procedure's agency when the draft was made: the review queue is read by it.
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="applications", on_delete=fields.RESTRICT
    )
    agency_id: int
    form: fields.ForeignKeyRelation[ProcedureForm] = fields.ForeignKeyField(
        "models.ProcedureForm", related_name="applications", on_delete=fields.RESTRICT
    )
    form_id: int
    channel = fields.CharEnumField(ApplicationChannel, max_length=8)
    status = fields.CharEnumField(ApplicationStatus, max_length=16)
    answers: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    idempotency_key = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Set by every change the citizen makes; drafts untouched for long are purged by it.
    touched_at = fields.DatetimeField()
    submitted_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.CharField(max_length=64, default="")
    refusal_reason = fields.CharField(max_length=500, default="")
    office: fields.ForeignKeyNullableRelation[Office] = fields.ForeignKeyField(
        "models.Office", related_name="applications", null=True, on_delete=fields.RESTRICT
    )
    office_id: int | None
    dossier: fields.ForeignKeyNullableRelation[Dossier] = fields.ForeignKeyField(
        "models.Dossier", related_name="applications", null=True, on_delete=fields.SET_NULL
    )
    dossier_id: int | None

    class Meta:
        table = "application"
        unique_together = (("citizen_id", "idempotency_key"),)
        indexes = (
            ("agency_id", "status", "submitted_at"),
            ("citizen_id", "id"),
            ("status", "touched_at"),
        )


class ApplicationDocument(Model):
    """One file attached to an application. The bytes live in the document store under their
    SHA-256; this row is their metadata and the only way to reach them."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="documents", on_delete=fields.CASCADE
    )
    application_id: int
    kind = fields.CharField(max_length=64)
    sha256 = fields.CharField(max_length=64, db_index=True)
    size = fields.BigIntField()
    content_type = fields.CharField(max_length=64)
    filename = fields.CharField(max_length=200, default="")
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = "application_document"
        indexes = (("application_id", "kind"),)


class SupplementRequest(Model):
    """What an officer asked a citizen to add or correct (named fields and document kinds), open
    until the citizen resubmits."""

    id = fields.IntField(primary_key=True)
    dossier: fields.ForeignKeyRelation[Dossier] = fields.ForeignKeyField(
        "models.Dossier", related_name="supplement_requests", on_delete=fields.CASCADE
    )
    dossier_id: int
    fields_asked: fields.JSONField[list[str]] = fields.JSONField(default=list)
    documents_asked: fields.JSONField[list[str]] = fields.JSONField(default=list)
    note = fields.CharField(max_length=500, default="")
    requested_by = fields.CharField(max_length=64, default="")
    requested_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "supplement_request"
        indexes = (("dossier_id", "requested_at"),)
