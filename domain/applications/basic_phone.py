"""Requests from a basic phone (USSD, SMS `NOP`): a procedure that asks for no papers beyond
identity, requested by its short code. The caller is who the mobile network says the number is,
plus the CCCD last 4 digits where the procedure asks for them; the request is checked by the
form's own rules and submitted at once, into the same review queue as the app's.

A door hands answers over as typed on a keypad: a choice by its number in the list shown (its
value or label are understood too), a date as dd/mm/yyyy. Each request carries a key made from
what the gateway repeats when it retries (the SMS id, the USSD flow), so a retry submits once.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from domain.applications.catalog import find_by_short_code, online_form
from domain.applications.forms import FieldSpec, FormSpec, check_complete, clean_answer
from domain.applications.submission import create_application
from domain.dossiers.records import CCCD_TRIES_PER_PHONE, CCCD_TRIES_WINDOW
from domain.errors import Conflict, Forbidden, TooManyRequests
from domain.local_time import local_date, utc_now
from domain.text import search_key
from domain.throttle import CountedAttempt, consume_attempts, refund_attempt
from models import Application, Citizen, Procedure
from models.enums import ApplicationChannel

# Per phone and window, on top of the per-phone limit dossier look-ups share: a stolen phone
# gets a handful of guesses at its owner's CCCD, whichever door it guesses through.
CCCD_TRIES_PER_REQUEST = 5


@dataclass(frozen=True)
class PhoneForm:
    """What a basic phone fills for one procedure: its fields in order, and whether the CCCD
    last 4 digits close the request."""

    procedure: Procedure
    spec: FormSpec

    @property
    def needs_cccd(self) -> bool:
        return bool(self.procedure.needs_cccd)


async def phone_form(*, citizen: Citizen, short_code: str) -> PhoneForm:
    """The form behind a short code. A procedure asking for the CCCD is refused at once to a
    citizen we hold none for: we could never check them, so they should not type it all first."""
    procedure = await find_by_short_code(short_code=short_code)
    procedure, _, spec = await online_form(code=procedure.code)
    if procedure.needs_cccd and not citizen.cccd_last4:
        raise Conflict(
            "cccd_not_on_file",
            "no CCCD is recorded for this number: request at the counter or in the app",
            short_code=procedure.short_code,
        )
    return PhoneForm(procedure, spec)


def _typed_choice(spec: FieldSpec, typed: str) -> str:
    """`2`, `ket_hon` or `Kết hôn` (any case, any accents) all name the second choice."""
    value = typed.strip()
    if value.isascii() and value.isdigit() and 1 <= int(value) <= len(spec.choices):
        return spec.choices[int(value) - 1].value
    wanted = search_key(value)
    for choice in spec.choices:
        if wanted in (choice.value, search_key(choice.label_vi), search_key(choice.label_en)):
            return choice.value
    return value


def typed_answer(spec: FieldSpec, typed: str) -> Any:
    """One answer as typed, as the form stores it; a wrong one raises the form's own error
    (`DomainError` with a `form.error.<code>` code), so every door says the same thing."""
    raw = _typed_choice(spec, typed) if spec.type == "choice" else typed
    return clean_answer(spec, raw, today=local_date(utc_now()))


def request_key(*, channel: ApplicationChannel, source: str) -> str:
    """The idempotency key of a request from what its gateway repeats on a retry; hashed, as a
    gateway's ids may be longer than a key holds."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:40]
    return f"{channel.value}:{digest}"


async def check_request_cccd(*, citizen: Citizen, procedure: Procedure, cccd_last4: str) -> None:
    """The caller proves to be the citizen behind the number. Tries are limited per phone (a
    wrong one says how many are left, `tries_left`; the last is refused as
    `request_cccd_tries_used` with when to come back); a right one is given back."""
    if not procedure.needs_cccd:
        return
    if not citizen.cccd_last4:
        raise Conflict("cccd_not_on_file", "no CCCD is recorded for this number")
    counted: list[CountedAttempt] = await consume_attempts(
        limits=[
            (f"cccd:phone:{citizen.phone}", CCCD_TRIES_PER_PHONE),
            (f"cccd:request:{citizen.phone}", CCCD_TRIES_PER_REQUEST),
        ],
        window=CCCD_TRIES_WINDOW,
    )
    if hmac.compare_digest(citizen.cccd_last4, cccd_last4.strip()):
        for attempt in counted:
            await refund_attempt(attempt=attempt)
        return
    tries_left = min(attempt.remaining for attempt in counted)
    if tries_left:
        raise Forbidden("cccd_mismatch", "CCCD last 4 digits do not match", tries_left=tries_left)
    wait = max(attempt.retry_after for attempt in counted if not attempt.remaining)
    raise TooManyRequests("request_cccd_tries_used", "no CCCD tries left", retry_after=wait)


async def request_from_basic_phone(
    *,
    citizen: Citizen,
    short_code: str,
    answers: dict[str, Any],
    cccd_last4: str,
    channel: ApplicationChannel,
    key: str,
    notify: bool = True,
) -> tuple[Application, bool]:
    """Submit at once: the form's rules check the answers (every problem named, `FormIncomplete`),
    then the CCCD. A retry with the same key returns the first request (False: nothing new).
    `notify=False` when the door's own answer is the receipt (the SMS reply to `NOP`)."""
    earlier = await Application.get_or_none(citizen=citizen, idempotency_key=key)
    if earlier is not None:
        return earlier, False
    form = await phone_form(citizen=citizen, short_code=short_code)
    # The answers first: a wrong one is said without costing a CCCD try.
    answers = check_complete(form.spec, answers, [], today=local_date(utc_now()))
    await check_request_cccd(citizen=citizen, procedure=form.procedure, cccd_last4=cccd_last4)
    return await create_application(
        citizen=citizen,
        procedure_code=form.procedure.code,
        answers=answers,
        submit=True,
        idempotency_key=key,
        channel=channel,
        notify=notify,
    )
