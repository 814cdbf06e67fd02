"""Feature-phone summaries: what an owner, a stranger and an appointment holder read, in GSM-7."""

from __future__ import annotations

from datetime import timedelta

from channels.summaries import (
    appointment_line,
    appointment_summary,
    dossier_line,
    dossier_summary,
)
from domain.appointments.booking import book_appointment, list_citizen_appointments
from domain.dossiers.records import Actor, lookup_dossier, move_dossier, receive_dossier
from domain.local_time import utc_now
from domain.sms_text import is_gsm7, measure_sms
from models.enums import ActorKind, DossierStatus
from tests.factories import make_agency, make_citizen, make_office, make_procedure, make_slot

OFFICER = Actor(ActorKind.STAFF, "officer-1")


async def _dossier(received_days_ago: int = 0):
    agency = await make_agency()
    office = await make_office(agency)
    procedure = await make_procedure(agency, days=3)
    owner = await make_citizen()
    dossier = await receive_dossier(
        citizen=owner,
        procedure=procedure,
        office=office,
        actor=OFFICER,
        received_at=utc_now() - timedelta(days=received_days_ago),
    )
    return owner, dossier


def _one_segment(text: str) -> None:
    assert is_gsm7(text), text
    assert measure_sms(text).segments == 1, text


async def test_owner_reads_status_due_date_and_next_step(db):
    owner, dossier = await _dossier()
    view = await lookup_dossier(code=dossier.code, viewer=owner)
    summary = dossier_summary(view, "vi")
    assert summary.startswith(f"Ho so {dossier.code}: Moi tiep nhan. Hen tra: ")
    assert "khong can lam gi them" in summary
    assert "Tre han" not in summary
    _one_segment(summary)
    english = dossier_summary(view, "en")
    assert english.startswith(f"Dossier {dossier.code}: ")
    assert "Due: " in english


async def test_stranger_reads_the_status_word_alone(db):
    _, dossier = await _dossier()
    stranger = await make_citizen(phone="0912345678", name="Trần Thị Bình")
    view = await lookup_dossier(code=dossier.code, viewer=stranger)
    assert dossier_summary(view, "vi") == f"Ho so {dossier.code}: Moi tiep nhan."


async def test_overdue_and_promised_date(db):
    owner, dossier = await _dossier(received_days_ago=30)
    view = await lookup_dossier(code=dossier.code, viewer=owner)
    assert "Tre han." in dossier_summary(view, "vi")
    dossier.promised_at = utc_now() + timedelta(days=3)
    await dossier.save()
    view = await lookup_dossier(code=dossier.code, viewer=owner)
    promised = dossier_summary(view, "vi")
    assert "Tre han, hen moi: " in promised
    _one_segment(promised)


async def test_a_long_rejection_reason_is_cut_to_keep_one_segment(db):
    owner, dossier = await _dossier()
    reason = "Hồ sơ thiếu bản sao có chứng thực giấy chứng nhận quyền sử dụng đất " * 4
    await move_dossier(
        dossier_id=dossier.id, to_status=DossierStatus.REJECTED, actor=OFFICER, note=reason
    )
    view = await lookup_dossier(code=dossier.code, viewer=owner)
    summary = dossier_summary(view, "vi")
    assert "Tu choi" in summary and "Ly do: Ho so thieu ban sao" in summary
    assert summary.endswith("...")
    _one_segment(summary)
    assert "Từ chối" in dossier_summary(view, "vi", keep_diacritics=True)
    assert dossier_line(view.dossier, "vi") == f"{dossier.code} Tu choi"


async def test_appointment_summary_and_line(db):
    office = await make_office()
    slot = await make_slot(office, starts_in=timedelta(days=2))
    citizen = await make_citizen()
    booked = await book_appointment(citizen=citizen, slot_id=slot.id)
    [appointment] = await list_citizen_appointments(citizen=citizen)
    summary = appointment_summary(appointment, "vi")
    assert summary.startswith(f"Lich hen {booked.id}: ")
    assert "tai Bo phan mot cua UBND phuong Sai Gon." in summary
    _one_segment(summary)
    line = appointment_line(appointment, "en")
    assert line.startswith(f"{booked.id}: ") and "One-stop office" in line
    # "<ref>: HH:MM DD/MM " and the office cut to 24 characters; the ref grows with the id
    # sequence, which SQLite does not reset between tests.
    assert len(line) <= len(f"{booked.id}: 01:59 26/11 ") + 24
