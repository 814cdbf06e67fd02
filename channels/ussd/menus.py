"""The USSD menus as one table: each screen, what it shows and where each input leads.

1 Tra cuu ho so · 2 Lich hen cua toi · 3 Dat lich hen · 4 Ngon ngu/Language · 5 Nop ho so
(`channels/ussd/requests.py`) · 0 Thoat;
everywhere `98` goes to the next page, `0` back a page and then a screen, `00` to the main
menu (handled by the dialogue). Screens are thin: they call `domain/` and print what it returns.
"""

from __future__ import annotations

from datetime import date

from channels.summaries import (
    WHEN,
    appointment_line,
    appointment_summary,
    dossier_line,
    dossier_summary,
    shorten,
)
from channels.ussd.pages import View, fold, room_beside
from channels.ussd.requests import REQUEST_SCREENS
from channels.ussd.screens import Hop, Move, Screen, done, failed, go, hint
from domain.appointments.booking import (
    book_appointment,
    cancel_appointment,
    list_citizen_appointments,
    list_open_days,
)
from domain.appointments.offices import find_slots_for_booking, list_offices
from domain.appointments.views import load_my_appointment
from domain.catalogue import error_text, has_text, localised_name
from domain.dossiers.codes import code_lookup_key
from domain.dossiers.records import (
    DossierView,
    list_citizen_dossiers,
    lookup_dossier,
    unlock_dossier,
)
from domain.errors import DomainError
from domain.local_time import local_text
from domain.profile import update_profile
from domain.text import minutes_in_words
from domain.ussd_sessions import forget_resumable_ussd_sessions, take_over_ussd_session
from models.enums import DossierStatus, Language

MAIN = "main"
LIST_LENGTH = 20
OFFICE_NAME = 40
PROCEDURE_NAME = 60  # at most; a status screen gives it what room its summary leaves
SHORTEST_NAME = 12  # less room than this names nothing: the line is left out
SHORTEST_CODE = 6  # fewer characters cannot be a dossier code (a list number is 1–2 digits)


def _numbered(lines: list[str]) -> list[str]:
    return [f"{number} {line}" for number, line in enumerate(lines, start=1)]


# --- main menu, language, leaving, resuming, errors ------------------------------------------


async def show_main(hop: Hop) -> View:
    return View([hop.t("ussd.main")], back=False)


async def show_bye(hop: Hop) -> View:
    return View([hop.t("ussd.bye")], end=True)


async def show_language(hop: Hop) -> View:
    return View([hop.t("ussd.language")])


async def choose_language(hop: Hop, choice: str) -> Move:
    language = {"1": Language.VI, "2": Language.EN}.get(choice)
    if language is None:
        return hint("ussd.hint.invalid")
    await update_profile(citizen=hop.citizen, language=language)
    return done(MAIN, language=language.value)


async def show_resume(hop: Hop) -> View:
    return View([hop.t("ussd.resume.ask")], back=False)


async def choose_resume(hop: Hop, choice: str) -> Move:
    if choice == "1":
        taken = await take_over_ussd_session(session_pk=hop.params["from"], phone=hop.citizen.phone)
        if taken is not None:
            screen, state = taken
            return Move("restore", screen, state)
    elif choice != "2":
        return hint("ussd.hint.invalid")
    await forget_resumable_ussd_sessions(phone=hop.citizen.phone)
    return done(MAIN)


async def show_error(hop: Hop) -> View:
    return View([error_text(str(hop.params.get("code")), hop.language, hop.params.get("values"))])


async def show_locked(hop: Hop) -> View:
    key = f"ussd.locked.{hop.params['code']}"
    wait = minutes_in_words(hop.params["seconds"], hop.language)
    return View(
        [hop.t(key if has_text(key) else "ussd.locked.too_many_requests", wait=wait)], end=True
    )


# --- 1 Tra cuu ho so ----------------------------------------------------------------------------


async def show_dossiers(hop: Hop) -> View:
    dossiers = await list_citizen_dossiers(citizen=hop.citizen, limit=LIST_LENGTH)
    if not dossiers:
        return View([hop.t("ussd.dossiers.none")], refs=[])
    lines = _numbered([dossier_line(d, hop.language) for d in dossiers])
    return View(
        [hop.t("ussd.dossiers.title"), *lines],
        options=[hop.t("ussd.dossiers.type_code")],
        refs=[d.code for d in dossiers],
    )


async def pick_dossier(hop: Hop, choice: str) -> Move:
    code = hop.ref(choice)
    if code is None and len(code_lookup_key(choice)) < SHORTEST_CODE:
        return hint("ussd.hint.code" if len(choice) > 2 else "ussd.hint.invalid")
    try:
        view = await lookup_dossier(code=code or choice, viewer=hop.citizen)
    except DomainError as error:
        return failed(error)
    summary = dossier_summary(view, hop.language)
    if view.full:
        return go("dossier", summary=summary, procedure=_procedure(view, hop), **_booking(view))
    return go("dossier_status", code=view.dossier.code, summary=summary)


def _procedure(view: DossierView, hop: Hop) -> str:
    """Named only on the full view: to whoever merely holds the code, which procedure a
    dossier is for (a divorce, a criminal record) is more than its status word."""
    return localised_name(view.dossier.procedure, hop.language)


def _booking(view: DossierView) -> dict[str, int]:
    """A dossier waiting for papers offers a counter slot at its own office to bring them."""
    if view.dossier.status != DossierStatus.NEEDS_SUPPLEMENT:
        return {}
    return {"book": view.dossier.office_id}


async def show_dossier(hop: Hop) -> View:
    """The procedure's name as the title above the summary, in the room the summary leaves on
    one screen (no label: on the tightest screen every character goes to the name)."""
    summary = hop.params["summary"]
    options = [hop.t("ussd.dossier.book_supplement")] if hop.params.get("book") else []
    room = min(room_beside([summary, *options], back=hop.t("ussd.nav.back")), PROCEDURE_NAME)
    name = shorten(fold(hop.params.get("procedure", "")), room) if room >= SHORTEST_NAME else ""
    return View([name, summary] if name else [summary], options=options)


async def book_for_supplement(hop: Hop, choice: str) -> Move:
    if choice != "1" or not hop.params.get("book"):
        return hint("ussd.hint.invalid")
    return go("book_day", office=hop.params["book"])


async def show_dossier_status(hop: Hop) -> View:
    return View([hop.params["summary"], hop.t("ussd.dossier.ask_cccd")])


async def give_cccd(hop: Hop, choice: str) -> Move:
    if not (choice.isascii() and choice.isdigit() and len(choice) == 4):
        return hint("ussd.hint.cccd")
    try:
        view = await unlock_dossier(
            code=hop.params["code"], caller_phone=hop.citizen.phone, cccd_last4=choice
        )
    except DomainError as error:
        return failed(error)
    return go(
        "dossier",
        summary=dossier_summary(view, hop.language),
        procedure=_procedure(view, hop),
        **_booking(view),
    )


# --- 2 Lich hen cua toi -------------------------------------------------------------------------


async def show_appointments(hop: Hop) -> View:
    appointments = await list_citizen_appointments(citizen=hop.citizen)
    if not appointments:
        return View([hop.t("ussd.appointments.none")], refs=[])
    lines = _numbered([appointment_line(a, hop.language) for a in appointments[:LIST_LENGTH]])
    return View(
        [hop.t("ussd.appointments.title"), *lines],
        refs=[a.id for a in appointments[:LIST_LENGTH]],
    )


async def pick_appointment(hop: Hop, choice: str) -> Move:
    appointment_id = hop.ref(choice)
    if appointment_id is None:
        return hint("ussd.hint.invalid")
    return go("appointment", id=appointment_id)


async def show_appointment(hop: Hop) -> View:
    try:
        appointment = await load_my_appointment(
            citizen=hop.citizen, appointment_id=hop.params["id"]
        )
    except DomainError as error:
        return View([error_text(error.code, hop.language, error.params)])
    # Kept with the screen: `1` carries it to the confirmation, which then needs no query.
    hop.params["when"] = local_text(appointment.slot.starts_at, WHEN)
    return View(
        [appointment_summary(appointment, hop.language)],
        options=[hop.t("ussd.appointment.cancel")],
    )


async def show_cancel(hop: Hop) -> View:
    return View([hop.t("ussd.cancel.ask", ref=hop.params["id"], when=hop.params.get("when", ""))])


async def confirm_cancel(hop: Hop, choice: str) -> Move:
    if choice != "1":
        return hint("ussd.hint.invalid")
    try:
        await cancel_appointment(citizen=hop.citizen, appointment_id=hop.params["id"])
    except DomainError as error:
        return failed(error)
    return done("cancelled", ref=hop.params["id"])


async def show_cancelled(hop: Hop) -> View:
    return View([hop.t("ussd.cancel.done", ref=hop.params["ref"])])


# --- 3 Dat lich hen: office → day → slot → confirm ----------------------------------------------


async def show_offices(hop: Hop) -> View:
    offices = await list_offices()
    names = [shorten(localised_name(o, hop.language), OFFICE_NAME) for o in offices]
    return View([hop.t("ussd.book.offices"), *_numbered(names)], refs=[o.id for o in offices])


async def pick_office(hop: Hop, choice: str) -> Move:
    office_id = hop.ref(choice)
    if office_id is None:
        return hint("ussd.hint.invalid")
    return go("book_day", office=office_id)


def _day_label(hop: Hop, day: date) -> str:
    return f"{hop.t(f'ussd.weekday.{day.weekday()}')} {day:%d/%m}"


async def show_days(hop: Hop) -> View:
    days = await list_open_days(office_id=hop.params["office"], holder=hop.citizen)
    if not days:
        return View([hop.t("ussd.book.no_days")], refs=[])
    lines = _numbered([_day_label(hop, day) for day in days])
    return View([hop.t("ussd.book.days"), *lines], refs=[day.isoformat() for day in days])


async def pick_day(hop: Hop, choice: str) -> Move:
    day = hop.ref(choice)
    if day is None:
        return hint("ussd.hint.invalid")
    return go("book_slot", office=hop.params["office"], day=day)


async def show_slots(hop: Hop) -> View:
    day = date.fromisoformat(hop.params["day"])
    try:
        office, slots = await find_slots_for_booking(
            office_id=hop.params["office"], day=day, holder=hop.citizen
        )
    except DomainError as error:
        return View([error_text(error.code, hop.language, error.params)], refs=[])
    header = hop.t("ussd.book.slots", day=_day_label(hop, day))
    if not slots:
        return View([header, hop.t("ussd.book.no_slots")], refs=[])
    lines = [
        hop.t(
            "ussd.book.slot_line",
            number=number,
            time=local_text(slot.starts_at, "%H:%M"),
            free=slot.capacity - slot.booked,
        )
        for number, slot in enumerate(slots, start=1)
    ]
    # Kept with the screen for the confirmation, as the chosen slot's time is (in `refs`).
    hop.params["office_name"] = shorten(localised_name(office, hop.language), OFFICE_NAME)
    return View([header, *lines], refs=[[s.id, local_text(s.starts_at, WHEN)] for s in slots])


async def pick_slot(hop: Hop, choice: str) -> Move:
    picked = hop.ref(choice)
    if picked is None:
        return hint("ussd.hint.invalid")
    slot_id, when = picked
    return go("book_confirm", slot=slot_id, when=when, office=hop.params.get("office_name", ""))


async def show_confirm(hop: Hop) -> View:
    return View([hop.t("ussd.book.ask", when=hop.params["when"], office=hop.params["office"])])


async def confirm_booking(hop: Hop, choice: str) -> Move:
    if choice != "1":
        return hint("ussd.hint.invalid")
    try:
        appointment = await book_appointment(citizen=hop.citizen, slot_id=hop.params["slot"])
    except DomainError as error:
        return failed(error)
    return done("booked", ref=appointment.id, when=hop.params["when"])


async def show_booked(hop: Hop) -> View:
    return View([hop.t("ussd.book.done", ref=hop.params["ref"], when=hop.params["when"])])


# --- the table -----------------------------------------------------------------------------------

SCREENS: dict[str, Screen] = {
    MAIN: Screen(
        show_main,
        choices={
            "1": "dossiers",
            "2": "appointments",
            "3": "book_office",
            "4": "language",
            "5": "request_list",
        },
    ),
    "bye": Screen(show_bye),
    "resume": Screen(show_resume, handle=choose_resume),
    "language": Screen(show_language, handle=choose_language),
    "error": Screen(show_error),
    "locked": Screen(show_locked),
    "dossiers": Screen(show_dossiers, handle=pick_dossier),
    "dossier": Screen(show_dossier, handle=book_for_supplement),
    "dossier_status": Screen(show_dossier_status, handle=give_cccd, resumable=True),
    "appointments": Screen(show_appointments, handle=pick_appointment),
    "appointment": Screen(show_appointment, choices={"1": "cancel_confirm"}),
    "cancel_confirm": Screen(show_cancel, handle=confirm_cancel, effect=True, resumable=True),
    "cancelled": Screen(show_cancelled),
    "book_office": Screen(show_offices, handle=pick_office),
    "book_day": Screen(show_days, handle=pick_day, resumable=True),
    "book_slot": Screen(show_slots, handle=pick_slot, resumable=True),
    "book_confirm": Screen(show_confirm, handle=confirm_booking, effect=True, resumable=True),
    "booked": Screen(show_booked),
    **REQUEST_SCREENS,
}
