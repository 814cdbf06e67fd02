"""`5 Nop ho so`: a request from a basic phone by USSD, as rows of the menu table.

procedure → each field of its form, one screen each (a choice as numbered options, a date
typed dd/mm/yyyy) → the CCCD last 4 digits where the procedure needs them → a summary to
confirm (`1`) → the request number. `0` goes back a field with its answer unmade, as anywhere
in the menus; so `0`, `00` and `98` cannot be answers, and an optional field is skipped with
`99`. A wrong answer asks again under the form's own error text.

The flow's parameters (short code, answers so far, the CCCD digits once checked) ride in the
session, with a token made when the procedure is picked: the request's idempotency key, so a
confirmation retried, or resumed after a drop, submits once.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from channels.summaries import shorten
from channels.ussd.pages import View
from channels.ussd.screens import Hop, Move, Screen, done, failed, go, hint
from domain.applications.basic_phone import (
    PhoneForm,
    check_request_cccd,
    phone_form,
    request_from_basic_phone,
    request_key,
    typed_answer,
)
from domain.applications.catalog import basic_phone_procedures
from domain.applications.forms import FieldSpec
from domain.catalogue import error_text, localised_name
from domain.errors import DomainError
from models.enums import ApplicationChannel

PROCEDURE_NAME = 48
LABEL = 60
ANSWER = 40
SKIP = "99"
_FLOW = ("code", "token", "answers", "index", "cccd")


def _numbered(lines: list[str]) -> list[str]:
    return [f"{number} {line}" for number, line in enumerate(lines, start=1)]


def _flow(hop: Hop, **changes: Any) -> dict[str, Any]:
    """This flow's parameters, for the next screen: what was given so far, and the changes."""
    kept = {name: hop.params[name] for name in _FLOW if name in hop.params}
    return {**kept, **changes}


async def _form(hop: Hop) -> PhoneForm:
    return await phone_form(citizen=hop.citizen, short_code=hop.params["code"])


async def show_procedures(hop: Hop) -> View:
    procedures = await basic_phone_procedures()
    if not procedures:
        return View([hop.t("ussd.request.none")], refs=[])
    names = [shorten(localised_name(p, hop.language), PROCEDURE_NAME) for p in procedures]
    return View(
        [hop.t("ussd.request.procedures"), *_numbered(names)],
        refs=[p.short_code for p in procedures],
    )


async def pick_procedure(hop: Hop, choice: str) -> Move:
    short_code = hop.ref(choice)
    if short_code is None:
        return hint("ussd.hint.invalid")
    try:
        await phone_form(citizen=hop.citizen, short_code=short_code)
    except DomainError as error:
        return failed(error)  # no CCCD on file: said before a single answer is typed
    return go("request_field", code=short_code, token=uuid.uuid4().hex, answers={}, index=0)


def _choice_label(field: FieldSpec, number: int, language: str) -> str:
    choice = field.choices[number]
    return choice.label_en if language == "en" else choice.label_vi


async def show_field(hop: Hop) -> View:
    try:
        form = await _form(hop)
    except DomainError as error:
        return View([error_text(error.code, hop.language, error.params)], refs=[])
    fields = form.spec.fields
    index = int(hop.params["index"])
    if index >= len(fields):  # the form was republished shorter mid-flow: start again
        return View([hop.t("ussd.request.changed")], refs=[])
    field = fields[index]
    title = hop.t(
        "ussd.request.field",
        step=index + 1,
        steps=len(fields),
        label=shorten(field.label(hop.language), LABEL),
    )
    lines = [title]
    if field.type == "choice":
        labels = [_choice_label(field, n, hop.language) for n in range(len(field.choices))]
        lines += _numbered(labels)
    elif field.type == "date":
        lines.append(hop.t("ussd.request.date"))
    elif field.type == "number" and field.minimum is not None and field.maximum is not None:
        lines.append(hop.t("ussd.request.range", minimum=field.minimum, maximum=field.maximum))
    options = [] if field.required else [hop.t("ussd.request.skip")]
    return View(lines, options=options, refs=[])


async def give_field(hop: Hop, typed: str) -> Move:
    try:
        form = await _form(hop)
    except DomainError as error:
        return failed(error)
    fields = form.spec.fields
    index = int(hop.params["index"])
    if index >= len(fields):
        return hint("ussd.hint.invalid")
    field = fields[index]
    answers = dict(hop.params.get("answers") or {})
    if (typed == SKIP or not typed) and not field.required:
        answers.pop(field.name, None)
    elif not typed:
        return hint("form.error.required")
    else:
        try:
            answers[field.name] = typed_answer(field, typed)
        except DomainError as wrong:
            return hint(f"form.error.{wrong.code}", **wrong.params)
    if index + 1 < len(fields):
        return go("request_field", **_flow(hop, answers=answers, index=index + 1))
    if form.needs_cccd:
        return go("request_cccd", **_flow(hop, answers=answers))
    return go("request_confirm", **_flow(hop, answers=answers))


async def show_cccd(hop: Hop) -> View:
    return View([hop.t("ussd.request.cccd")])


async def give_cccd(hop: Hop, typed: str) -> Move:
    if not (typed.isascii() and typed.isdigit() and len(typed) == 4):
        return hint("ussd.hint.cccd")
    try:
        form = await _form(hop)
        await check_request_cccd(citizen=hop.citizen, procedure=form.procedure, cccd_last4=typed)
    except DomainError as error:
        return failed(error)
    return go("request_confirm", **_flow(hop, cccd=typed))


def _shown(field: FieldSpec, value: Any, language: str) -> str:
    """An answer as the caller gave it: a choice by its label, a date dd/mm/yyyy."""
    if field.type == "choice":
        values = [choice.value for choice in field.choices]
        return _choice_label(field, values.index(value), language) if value in values else ""
    if field.type == "date":
        return f"{date.fromisoformat(value):%d/%m/%Y}"
    return str(value)


async def show_confirm(hop: Hop) -> View:
    try:
        form = await _form(hop)
    except DomainError as error:
        return View([error_text(error.code, hop.language, error.params)], refs=[])
    answers = hop.params.get("answers") or {}
    lines = [
        hop.t("ussd.request.summary"),
        shorten(localised_name(form.procedure, hop.language), PROCEDURE_NAME),
    ]
    for field in form.spec.fields:
        if field.name in answers:
            shown = _shown(field, answers[field.name], hop.language)
            label = shorten(field.label(hop.language), LABEL)
            lines.append(hop.t("ussd.request.answer", label=label, value=shorten(shown, ANSWER)))
    return View(lines, options=[hop.t("ussd.request.confirm")], refs=[])


async def confirm_request(hop: Hop, choice: str) -> Move:
    if choice != "1":
        return hint("ussd.hint.invalid")
    try:
        application, _ = await request_from_basic_phone(
            citizen=hop.citizen,
            short_code=hop.params["code"],
            answers=dict(hop.params.get("answers") or {}),
            cccd_last4=str(hop.params.get("cccd", "")),
            channel=ApplicationChannel.USSD,
            key=request_key(channel=ApplicationChannel.USSD, source=hop.params["token"]),
        )
    except DomainError as error:
        return failed(error)
    return done("request_sent", number=application.id)


async def show_sent(hop: Hop) -> View:
    return View([hop.t("ussd.request.sent", number=hop.params["number"])], end=True)


REQUEST_SCREENS: dict[str, Screen] = {
    "request_list": Screen(show_procedures, handle=pick_procedure),
    "request_field": Screen(show_field, handle=give_field, resumable=True),
    # Effect: each try counts against the caller's CCCD tries, so a doubled hop counts once.
    "request_cccd": Screen(show_cccd, handle=give_cccd, effect=True, resumable=True),
    "request_confirm": Screen(show_confirm, handle=confirm_request, effect=True, resumable=True),
    "request_sent": Screen(show_sent),
}
