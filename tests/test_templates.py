"""Every SMS template, filled with realistic longest values, fits one GSM-7 segment once its
diacritics are folded: a second segment doubles the city's bill for every alert."""

from __future__ import annotations

import pytest

from domain.applications.submission import PROCEDURE_NAME_LENGTH
from domain.catalogue import LANGUAGES, catalogues, placeholders, text
from domain.dossiers.records import SMS_NOTE_LENGTH
from domain.sms_text import measure_sms, to_sms_text
from mgov import demo_data

LONGEST_OFFICE = "Bộ phận một cửa UBND phường Tân Sơn Nhất (cơ sở 2)"
LONGEST = {
    "code": "H29.15-261231-12345",
    "due_date": "31/12/2026",
    "new_date": "31/12/2026",
    "office": LONGEST_OFFICE,
    "note": "Thiếu giấy xác nhận tình trạng hôn nhân và bản sao CCCD"[:SMS_NOTE_LENGTH],
    "id": "9999999",
    "when": "14:30 31/12/2026",
    "summary": "Dossier H29.15-261231-12345: Result ready. Due: 31/12/2026. Overdue, new date: "
    "31/12/2026. Please collect the result at the one-stop office.",
    "short_summary": "Dossier H29.15-261231-12345: Waiting for documents.",
    "appointment": "Appointment 9999999: 14:30 31/12/2026 at Bo phan mot cua UBND phuong "
    "Tan Son...",
    "lines": "9999999: 14:30 31/12 Bo phan mot cua UBND...",
    "number": "9999999",
    "procedure": "Cấp giấy phép sửa chữa, cải tạo công..."[:PROCEDURE_NAME_LENGTH],
    "reason": "Địa điểm kinh doanh nằm trong khu vực không được phép"[:SMS_NOTE_LENGTH],
    # Requests from a basic phone: names as channels/sms/requests.py cuts them; that door also
    # cuts labels and drops the choices' legend as far as one segment needs.
    "tries_left": "9",
    "wait": "khoảng 15 phút",
    "expected": "12",
    "given": "12",
    "problems": "Họ tên người được đăng ký: Ngày không hợp lệ (ví dụ 15/03/2026)",
    "usage": "TRICHLUC <Loai trich luc>;<Nam dang ky>;<Ho ten...>;<4 so cuoi CCCD>",
    "choices": " Muc dich: 1 Di hoc, 2 Di lam.",
}
SMS_KEYS = sorted(key for key in catalogues()["vi"] if key.startswith("sms."))


def test_the_longest_values_are_at_least_the_demo_ones():
    offices = [name for office in demo_data.OFFICES for name in office[1:3]]
    assert len(LONGEST_OFFICE) >= max(len(name) for name in offices)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", SMS_KEYS)
def test_every_sms_template_fits_one_segment_without_diacritics(key, language):
    filled = text(key, language, **{name: LONGEST[name] for name in placeholders(key)})
    encoding = measure_sms(to_sms_text(filled))
    assert encoding.encoding == "GSM-7"
    assert encoding.segments == 1, (encoding.units, to_sms_text(filled))


def test_free_text_is_shortened_at_a_word_boundary():
    from domain.text import shorten

    office = "Department of Construction one-stop office"
    assert shorten(office, 40) == "Department of Construction one-stop..."
    assert shorten(office, 42) == office
    assert shorten("Bộ phận một cửa, phường Sài Gòn", 20) == "Bộ phận một cửa..."
    assert shorten("Supercalifragilistic", 10) == "Superca..."  # one long word: cut inside


def test_a_long_officer_note_is_shortened_for_sms():
    from domain.dossiers.records import _short

    note = "Bổ sung bản vẽ hiện trạng, giấy tờ chứng minh quyền sử dụng đất và hợp đồng thi công"
    assert len(_short(note)) == SMS_NOTE_LENGTH and _short(note).endswith("...")
    assert _short("Thiếu bản sao CCCD") == "Thiếu bản sao CCCD"
