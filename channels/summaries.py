"""Short feature-phone texts for a dossier and an appointment, shared by the USSD and SMS doors.

Pure functions over rows already loaded by `domain/`: no query here. The texts come from the
catalogue (`feature.*`) and are folded to GSM-7 unless diacritics are asked for, so a summary
costs one SMS segment and fits a USSD screen.
"""

from __future__ import annotations

from domain.catalogue import localised_name, text
from domain.dossiers.records import DossierView
from domain.local_time import local_text
from domain.sms_text import to_sms_text
from domain.text import shorten as shorten  # the doors cut names with it too
from models import Appointment, Dossier
from models.enums import DossierStatus

NOTE_LENGTH = 50
OFFICE_LENGTH = 40
DATE = "%d/%m/%Y"
WHEN = "%H:%M %d/%m/%Y"
SHORT_WHEN = "%H:%M %d/%m"
_NEEDS_NOTE = frozenset({DossierStatus.NEEDS_SUPPLEMENT, DossierStatus.REJECTED})


def status_word(status: DossierStatus, language: str) -> str:
    return text(f"status.{status.value}", language)


def _next_step(dossier: Dossier, language: str) -> str:
    note = shorten(dossier.status_note, NOTE_LENGTH)
    if dossier.status in _NEEDS_NOTE and not note:
        return ""
    return text(f"feature.next.{dossier.status.value}", language, note=note)


def dossier_summary(view: DossierView, language: str, *, keep_diacritics: bool = False) -> str:
    """Code and status word; for the owner (or a CCCD-checked helper) also the due date, whether
    it is overdue (with the promised new date when one was given) and what happens next."""
    dossier = view.dossier
    parts = [
        text(
            "feature.dossier_status",
            language,
            code=dossier.code,
            status=status_word(dossier.status, language),
        )
    ]
    if view.full:
        parts.append(
            text("feature.dossier_due", language, due_date=local_text(dossier.due_at, DATE))
        )
        if view.overdue and dossier.promised_at is not None:
            new_date = local_text(dossier.promised_at, DATE)
            parts.append(text("feature.dossier_promised", language, new_date=new_date))
        elif view.overdue:
            parts.append(text("feature.dossier_overdue", language))
        parts.append(_next_step(dossier, language))
    return to_sms_text(" ".join(p for p in parts if p), keep_diacritics=keep_diacritics)


def dossier_line(dossier: Dossier, language: str, *, keep_diacritics: bool = False) -> str:
    """One line of a list: the code and the status word."""
    line = text(
        "feature.dossier_line",
        language,
        code=dossier.code,
        status=status_word(dossier.status, language),
    )
    return to_sms_text(line, keep_diacritics=keep_diacritics)


def appointment_summary(
    appointment: Appointment, language: str, *, keep_diacritics: bool = False
) -> str:
    """Reference, time and office of an appointment whose `slot` and `slot.office` are loaded
    (`list_citizen_appointments` prefetches both)."""
    slot = appointment.slot
    summary = text(
        "feature.appointment",
        language,
        ref=appointment.id,
        when=local_text(slot.starts_at, WHEN),
        office=shorten(localised_name(slot.office, language), OFFICE_LENGTH),
    )
    return to_sms_text(summary, keep_diacritics=keep_diacritics)


def appointment_line(
    appointment: Appointment,
    language: str,
    *,
    keep_diacritics: bool = False,
    office_length: int = 24,
) -> str:
    """One line of a list: reference, short time, the office name cut to `office_length`."""
    slot = appointment.slot
    line = text(
        "feature.appointment_line",
        language,
        ref=appointment.id,
        when=local_text(slot.starts_at, SHORT_WHEN),
        office=shorten(localised_name(slot.office, language), office_length),
    )
    return to_sms_text(line, keep_diacritics=keep_diacritics)
