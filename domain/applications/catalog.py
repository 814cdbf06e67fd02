"""Publishing what a procedure asks for: an admin sets its online level and basic-phone flags and
publishes a new form version. Versions are only ever added; the latest is the one new drafts use."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.applications.forms import FormSpec, read_form_spec
from domain.errors import Conflict, InvalidInput, NotFound
from domain.procedures import get_procedure
from domain.staff.accounts import require_permission
from domain.staff.audit import StaffCaller, record_audit
from models import Application, Procedure, ProcedureForm
from models.enums import OnlineLevel

SHORT_CODE_MAX = 16


async def latest_form(procedure: Procedure) -> ProcedureForm | None:
    return await ProcedureForm.filter(procedure=procedure).order_by("-version").first()


def form_spec(form: ProcedureForm) -> FormSpec:
    return read_form_spec(form.fields_spec, form.documents_spec)


async def form_of(application: Application) -> ProcedureForm:
    """The application's form: the one loaded with it (`select_related("form")`, as the upload
    path does to spare a query per upload), else read now."""
    loaded: object = application.form  # a query until select_related has filled it in
    if isinstance(loaded, ProcedureForm):
        return loaded
    return await ProcedureForm.get(id=application.form_id)


async def online_form(*, code: str) -> tuple[Procedure, ProcedureForm, FormSpec]:
    """The form a new application fills; a counter-only procedure has none online."""
    procedure = await get_procedure(code=code)
    form = await latest_form(procedure)
    if procedure.online_level == OnlineLevel.COUNTER or form is None:
        raise Conflict("procedure_not_online", "this procedure is done at the counter only")
    await procedure.fetch_related("agency")
    return procedure, form, form_spec(form)


def _short_code(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if not code.isalnum() or len(code) > SHORT_CODE_MAX:
        raise InvalidInput("invalid_short_code", "letters and digits only", field="short_code")
    return code


async def publish_form(
    *,
    caller: StaffCaller,
    procedure_code: str,
    fields: list[dict[str, Any]],
    documents: list[dict[str, Any]],
    online_level: OnlineLevel,
    short_code: str | None = None,
    needs_cccd: bool = False,
) -> ProcedureForm:
    """A new version, and the procedure's flags, in one audited change. A procedure asking for
    documents cannot be requested from a basic phone, which cannot attach any."""
    require_permission(caller.user, "form.publish")
    spec = read_form_spec(fields, documents)
    code = _short_code(short_code)
    basic_phone = code is not None
    if basic_phone and spec.documents:
        raise InvalidInput(
            "basic_phone_with_documents",
            "a procedure requested by USSD or SMS cannot ask for documents",
            field="short_code",
        )
    procedure = await get_procedure(code=procedure_code)
    try:
        async with in_transaction():
            procedure = await Procedure.select_for_update().get(id=procedure.id)
            latest = await latest_form(procedure)
            form = await ProcedureForm.create(
                procedure=procedure,
                version=(latest.version + 1) if latest else 1,
                fields_spec=_dump(spec)["fields"],
                documents_spec=_dump(spec)["documents"],
                published_by=caller.user.username,
            )
            procedure.online_level = online_level
            procedure.short_code = code
            procedure.basic_phone = basic_phone
            procedure.needs_cccd = needs_cccd
            await procedure.save()
            await record_audit(
                caller=caller,
                action="form.publish",
                subject=f"{procedure.code}:v{form.version}",
            )
    except IntegrityError:
        raise Conflict(
            "short_code_taken", "another procedure uses this short code", field="short_code"
        ) from None
    return form


def _dump(spec: FormSpec) -> dict[str, Any]:
    return spec.model_dump(mode="json", exclude_defaults=False)


async def basic_phone_procedures() -> list[Procedure]:
    """What a basic phone can request, by short code."""
    return await Procedure.filter(is_active=True, basic_phone=True).order_by("short_code")


async def find_by_short_code(*, short_code: str) -> Procedure:
    procedure = await Procedure.get_or_none(
        short_code=short_code.strip().upper(), basic_phone=True, is_active=True
    )
    if procedure is None:
        raise NotFound("procedure_not_found", "no procedure with this short code")
    return procedure
