"""`NOP`: a request from a basic phone by SMS (`APPLY` or `SUBMIT` in English).

- `NOP` alone lists what can be requested so: short codes and names.
- `NOP <short code>` says how to fill that one in.
- `NOP <short code> <answers>` submits it at once; the reply is its receipt.

The rule for answers, said in every reply to a malformed request: in the form's order,
separated by `;` (or by `,` in a message without `;`). A message with neither is split at
spaces, and then the one free-text answer a form may have (a name) takes the words the others
leave: `NOP TRICHLUC 1 2015 Nguyen Van An 1234`. The CCCD last 4 digits come last where the
procedure needs them; a choice is its number in the list, a date dd/mm/yyyy.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from channels.sms.keywords import Command
from channels.summaries import shorten
from domain.applications.basic_phone import (
    PhoneForm,
    phone_form,
    request_from_basic_phone,
    request_key,
    typed_answer,
)
from domain.applications.catalog import basic_phone_procedures
from domain.catalogue import localised_name, text
from domain.errors import DomainError, FormIncomplete, TooManyRequests
from domain.inbound_sms import SmsReply
from domain.sms_text import measure_sms, to_sms_text
from domain.text import minutes_in_words
from models import Citizen
from models.enums import ApplicationChannel

FREE_TEXT = frozenset({"text", "address"})
NAME_LENGTHS = (40, 32, 24)  # a procedure's name, cut as far as one segment needs
LABEL_LENGTHS = (40, 24, 18, 14, 10)  # a field's label in a reply, cut as far as needed
RECEIPT_NAME = 40
_CODE_FIRST = re.compile(r"\s*([0-9A-Za-z]+)[\s;,:.-]*(.*)", re.DOTALL)
# Refusals of the short code itself, before any answer is read.
_NOT_REQUESTABLE = frozenset({"procedure_not_found", "procedure_not_online"})
Problems = list[tuple[str, DomainError]]  # a field's label, and what is wrong with its answer


def _one_segment(
    template: str, language: str, keep: bool, variants: Iterable[dict[str, Any]]
) -> SmsReply:
    """The first of `variants` (most complete first) whose reply fits one SMS segment; the last
    one when none does (the content is longer than a segment, and it is all needed)."""
    chosen: dict[str, Any] = {}
    for params in variants:
        chosen = params
        body = to_sms_text(text(f"sms.{template}", language, **params), keep_diacritics=keep)
        if measure_sms(body).segments <= 1:
            break
    return SmsReply(template, chosen)


async def _menu(citizen: Citizen, keep: bool) -> SmsReply:
    procedures = await basic_phone_procedures()
    if not procedures:
        return SmsReply("reply_request_none")
    language = citizen.language

    def lists() -> Iterator[dict[str, Any]]:
        for count in range(len(procedures), 0, -1):
            for length in NAME_LENGTHS:
                names = (shorten(localised_name(p, language), length) for p in procedures[:count])
                codes = (p.short_code for p in procedures[:count])
                yield {"lines": "; ".join(f"{c} {n}" for c, n in zip(codes, names, strict=True))}

    return _one_segment("reply_request_menu", language, keep, lists())


def _usage(form: PhoneForm, language: str, length: int) -> str:
    """`TRICHLUC <Loai trich luc>;<Nam dang ky>;<Ho ten>;<4 so cuoi CCCD>`."""
    labels = [field.label(language) for field in form.spec.fields]
    if form.needs_cccd:
        labels.append(text("feature.request.cccd", language))
    slots = ";".join(f"<{shorten(label, length)}>" for label in labels)
    return f"{form.procedure.short_code} {slots}"


def _choices(form: PhoneForm, language: str) -> str:
    """` Loai trich luc: 1 Khai sinh, 2 Ket hon, 3 Khai tu.` for each choice field."""
    legends = [
        text(
            "feature.request.choices",
            language,
            label=field.label(language),
            choices=", ".join(
                f"{n} {choice.label_en if language == 'en' else choice.label_vi}"
                for n, choice in enumerate(field.choices, start=1)
            ),
        )
        for field in form.spec.fields
        if field.type == "choice"
    ]
    return "".join(f" {legend}" for legend in legends)


def _with_usage(form: PhoneForm, language: str, **params: Any) -> Iterator[dict[str, Any]]:
    """The reply's parameters with the usage line, its labels as long as the segment allows."""
    for length in LABEL_LENGTHS:
        yield {**params, "usage": _usage(form, language, length)}


def _usage_reply(form: PhoneForm, language: str, keep: bool) -> SmsReply:
    name = shorten(localised_name(form.procedure, language), NAME_LENGTHS[0])
    legend = _choices(form, language)
    variants = [
        *_with_usage(form, language, procedure=name, choices=legend),
        *_with_usage(form, language, procedure=name, choices=""),
    ]
    return _one_segment("reply_request_usage", language, keep, variants)


def split_answers(typed: str, form: PhoneForm) -> list[str]:
    """The answers in order, by the rule above (the caller checks how many there are)."""
    count = len(form.spec.fields) + form.needs_cccd
    for separator in (";", ","):
        if separator in typed:
            pieces = [piece.strip() for piece in typed.split(separator)]
            if len(pieces) == count + 1 and not pieces[-1]:
                pieces.pop()  # a `;` after the last answer
            return pieces
    words = typed.split()
    free = [i for i, field in enumerate(form.spec.fields) if field.type in FREE_TEXT]
    if len(words) > count and len(free) == 1:
        at, extra = free[0], len(words) - count
        words[at : at + extra + 1] = [" ".join(words[at : at + extra + 1])]
    return words


def _invalid(code: str, language: str, keep: bool, problems: Problems) -> SmsReply:
    """Every problem, each after its field's label; as many as one segment holds (the first
    ones: fixed and sent again, the next reply names the rest)."""
    said = [
        f"{shorten(label, LABEL_LENGTHS[0])}: "
        + text(f"form.error.{error.code}", language, **error.params)
        for label, error in problems
    ]
    variants = (
        {"code": code, "problems": "; ".join(said[:count])} for count in range(len(said), 0, -1)
    )
    return _one_segment("reply_request_invalid", language, keep, variants)


def _read(form: PhoneForm, pieces: list[str], language: str) -> tuple[dict[str, Any], Problems]:
    """Each answer as the form stores it, and what is wrong with the others."""
    answers: dict[str, Any] = {}
    problems: Problems = []
    for field, piece in zip(form.spec.fields, pieces, strict=False):
        if not piece:
            if field.required:
                problems.append((field.label(language), DomainError("required")))
            continue
        try:
            answers[field.name] = typed_answer(field, piece)
        except DomainError as wrong:
            problems.append((field.label(language), wrong))
    return answers, problems


async def request(command: Command, citizen: Citizen, keep: bool) -> SmsReply:
    """What `NOP` asks for, done; every refusal says exactly what is wrong."""
    language = citizen.language
    if command.argument is None:
        return await _menu(citizen, keep)
    found = _CODE_FIRST.match(command.typed)
    short_code, typed = (found.group(1), found.group(2).strip()) if found else ("", "")
    try:
        form = await phone_form(citizen=citizen, short_code=short_code)
    except DomainError as refused:
        return _refusal(refused, short_code.upper(), language)
    if not typed:
        return _usage_reply(form, language, keep)
    pieces = split_answers(typed, form)
    expected = len(form.spec.fields) + form.needs_cccd
    code = form.procedure.short_code or short_code.upper()
    if len(pieces) != expected:
        params = {"code": code, "expected": expected, "given": len(pieces)}
        variants = _with_usage(form, language, **params)
        return _one_segment("reply_request_malformed", language, keep, variants)
    answers, problems = _read(form, pieces, language)
    if problems:
        return _invalid(code, language, keep, problems)
    # Without a gateway id (never from a door) the request is simply not deduplicated.
    source = command.source or uuid.uuid4().hex
    try:
        application, _ = await request_from_basic_phone(
            citizen=citizen,
            short_code=code,
            answers=answers,
            cccd_last4=pieces[-1] if form.needs_cccd else "",
            channel=ApplicationChannel.SMS,
            key=request_key(channel=ApplicationChannel.SMS, source=source),
            notify=False,
        )
    except FormIncomplete as incomplete:  # the form was republished since it was read
        labels = {f"answers.{field.name}": field.label(language) for field in form.spec.fields}
        problems = [
            (labels.get(p.field, p.field), DomainError(p.code, **p.params))
            for p in incomplete.problems
        ]
        return _invalid(code, language, keep, problems)
    except DomainError as refused:
        return _refusal(refused, code, language)
    # The reply is the receipt the app's citizen gets, so it is said once.
    name = shorten(localised_name(form.procedure, language), RECEIPT_NAME)
    return SmsReply("application_submitted", {"number": application.id, "procedure": name})


def _refusal(error: DomainError, code: str, language: str) -> SmsReply:
    if error.code in _NOT_REQUESTABLE:
        return SmsReply("reply_request_unknown", {"code": code[:16]})
    if error.code == "cccd_not_on_file":
        return SmsReply("reply_request_no_cccd", {"code": code})
    if error.code == "cccd_mismatch":
        return SmsReply("reply_request_cccd_mismatch", {"tries_left": error.params["tries_left"]})
    if isinstance(error, TooManyRequests):
        wait = minutes_in_words(error.retry_after, language)
        return SmsReply("reply_request_locked", {"wait": wait})
    raise error
