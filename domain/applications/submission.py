"""Submitting an application, once however often a flaky network retries the POST: each write
carries the citizen's `Idempotency-Key`, and a replay of the same key answers what the first one
did. Every missing or wrong input is named in one refusal. The citizen hears that their
application was received, and hears again if they withdraw it."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.alerts.enqueue import enqueue_message
from domain.applications.catalog import form_spec
from domain.applications.drafts import check_not_blank_key, my_application, start_draft
from domain.applications.forms import check_complete
from domain.catalogue import localised_name
from domain.errors import Conflict, InvalidInput
from domain.local_time import local_date, utc_now
from domain.text import shorten
from models import Application, ApplicationDocument, Citizen, Procedure
from models.enums import ApplicationChannel, ApplicationStatus

# A procedure's name in an SMS, cut at a word so the message stays one segment.
PROCEDURE_NAME_LENGTH = 40


async def notify_application(application: Application, template: str, **params: Any) -> None:
    """One message per application event, deduplicated by it (a replay queues nothing). The
    app shows the whole reason; the SMS carries its start."""
    citizen: Citizen = await application.citizen
    procedure: Procedure = await application.procedure
    await enqueue_message(
        citizen=citizen,
        template=template,
        params={
            "number": application.id,
            "procedure": shorten(
                localised_name(procedure, citizen.language), PROCEDURE_NAME_LENGTH
            ),
            **params,
        },
        dedupe_key=f"application:{application.id}:{template}",
    )


async def _submit_locked(application: Application, key: str, *, notify: bool = True) -> Application:
    """Inside the caller's transaction, with the row locked."""
    if application.status != ApplicationStatus.DRAFT:
        if application.idempotency_key == key:
            return application  # the same request again: the same answer
        raise Conflict(
            "application_not_draft",
            "this application was already submitted",
            current=application.status.value,
        )
    reused = Application.filter(citizen_id=application.citizen_id, idempotency_key=key)
    if await reused.exclude(id=application.id).exists():
        raise InvalidInput(
            "idempotency_key_reused",
            "this key was used for another request",
            field="Idempotency-Key",
        )
    await application.fetch_related("form")
    spec = form_spec(application.form)
    kinds = list(
        await ApplicationDocument.filter(application=application).values_list("kind", flat=True)
    )
    now = utc_now()
    application.answers = check_complete(
        spec, application.answers, [str(kind) for kind in kinds], today=local_date(now)
    )
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    application.touched_at = now
    application.idempotency_key = key
    await application.save()
    if notify:
        await notify_application(application, "application_submitted")
    return application


async def submit_application(
    *, citizen: Citizen, application_id: int, idempotency_key: str | None
) -> Application:
    key = check_not_blank_key(idempotency_key)
    async with in_transaction():
        application = await my_application(
            citizen=citizen, application_id=application_id, lock=True
        )
        return await _submit_locked(application, key)


async def _replay(citizen: Citizen, key: str, procedure_code: str) -> Application | None:
    earlier = await Application.get_or_none(citizen=citizen, idempotency_key=key)
    if earlier is None:
        return None
    procedure: Procedure = await earlier.procedure
    if procedure.code != procedure_code.strip():
        raise InvalidInput(
            "idempotency_key_reused",
            "this key was used for another request",
            field="Idempotency-Key",
        )
    return earlier


async def create_application(
    *,
    citizen: Citizen,
    procedure_code: str,
    answers: dict[str, Any],
    submit: bool,
    idempotency_key: str | None,
    channel: ApplicationChannel = ApplicationChannel.APP,
    notify: bool = True,
) -> tuple[Application, bool]:
    """A draft, or (with `submit`) a finished application in one request. With a key, a retry
    returns the first result (False: nothing new was made); two at once make one, as the
    database holds the key unique per citizen. `notify=False` when the door's own answer is the
    receipt (an SMS reply), so the citizen is not told twice."""
    key = check_not_blank_key(idempotency_key) if submit or idempotency_key else None
    if key is not None:
        earlier = await _replay(citizen, key, procedure_code)
        if earlier is not None:
            return earlier, False
    try:
        async with in_transaction():
            application = await start_draft(
                citizen=citizen,
                procedure_code=procedure_code,
                answers=answers,
                channel=channel,
                idempotency_key=key,
            )
            if submit:
                assert key is not None
                await _submit_locked(application, key, notify=notify)
    except IntegrityError:
        assert key is not None  # only the key is unique here
        earlier = await _replay(citizen, key, procedure_code)
        if earlier is None:
            raise
        return earlier, False
    return application, True


async def withdraw_application(*, citizen: Citizen, application_id: int) -> Application:
    """Before an officer decides, the citizen may take it back; after, the dossier is theirs to
    withdraw as any other."""
    async with in_transaction():
        application = await my_application(
            citizen=citizen, application_id=application_id, lock=True
        )
        if application.status == ApplicationStatus.WITHDRAWN:
            return application  # a retry of a withdrawal that went through
        if application.status != ApplicationStatus.SUBMITTED:
            raise Conflict(
                "application_not_withdrawable",
                "only a submitted application can be withdrawn",
                current=application.status.value,
            )
        application.status = ApplicationStatus.WITHDRAWN
        application.decided_at = application.touched_at = utc_now()
        await application.save()
        await notify_application(application, "application_withdrawn")
    return application
