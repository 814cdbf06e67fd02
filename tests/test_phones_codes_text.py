"""Numbers and codes as people type them on keypads, and text folded for SMS and search."""

from __future__ import annotations

import unicodedata

import pytest

from domain.dossiers.codes import code_digits_key, code_lookup_key, format_dossier_code
from domain.errors import InvalidInput
from domain.phones import LEGACY_MOBILE_PREFIXES, mask_phone, normalise_phone
from domain.text import fold_diacritics, minutes_in_words, search_key
from infra.logs import mask_phones


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0901234567", "+84901234567"),
        ("090 123 4567", "+84901234567"),
        ("090.123.4567", "+84901234567"),
        ("+84 90 123 4567", "+84901234567"),
        ("84901234567", "+84901234567"),
        ("0084901234567", "+84901234567"),
        ("(+84) 387-654-321", "+84387654321"),
        ("01689123456", "+84389123456"),  # Viettel 0168 -> 038
        ("0162 123 4567", "+84321234567"),  # Viettel 0162 -> 032
        ("01201234567", "+84701234567"),  # MobiFone 0120 -> 070
        ("01221234567", "+84771234567"),  # MobiFone 0122 -> 077
        ("01231234567", "+84831234567"),  # VinaPhone 0123 -> 083
        ("01271234567", "+84811234567"),  # VinaPhone 0127 -> 081
        ("01861234567", "+84561234567"),  # Vietnamobile 0186 -> 056
        ("01991234567", "+84591234567"),  # Gmobile 0199 -> 059
        ("+84 1689 123 456", "+84389123456"),  # legacy number written internationally
        ("+447911123456", "+447911123456"),  # a foreign resident's mobile
    ],
)
def test_numbers_are_normalised_to_e164(typed: str, expected: str) -> None:
    assert normalise_phone(typed) == expected


def test_every_legacy_prefix_maps_to_a_valid_ten_digit_number() -> None:
    for old, new in LEGACY_MOBILE_PREFIXES.items():
        assert normalise_phone(old + "1234567") == "+84" + new[1:] + "1234567"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "invalid_phone"),
        ("12345", "invalid_phone"),
        ("0111111111", "invalid_phone"),
        ("090123456", "invalid_phone"),  # a digit short
        ("090123456789", "invalid_phone"),  # two digits too many
        ("01001234567", "invalid_phone"),  # 0100 was never a mobile prefix
        ("not a number", "invalid_phone"),
        ("9" * 40, "invalid_phone"),
        ("02838123456", "phone_not_mobile"),  # an HCMC landline cannot receive SMS
    ],
)
def test_invalid_numbers_are_refused_with_a_domain_error(typed: str, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_phone(typed)
    assert caught.value.code == code
    assert caught.value.status == 422


def test_landlines_are_accepted_when_asked_for() -> None:
    assert normalise_phone("028 3812 3456", mobile_only=False) == "+842838123456"


def test_masking_keeps_prefix_and_last_digits_only() -> None:
    assert mask_phone("+84901234567") == "+8490****567"
    assert mask_phones("sms to +84901234567 and 090 123 4567") == (
        "sms to +8490****567 and 090****567"
    )
    untouched = "dossier H29.99-251123-0042 slot 20261123 at 2026-11-23 15:00:00"
    assert mask_phones(untouched) == untouched


def test_dossier_codes_tolerate_keypad_typing() -> None:
    from datetime import date

    code = format_dossier_code(agency_code="H29.99", day=date(2025, 11, 23), number=42)
    assert code == "H29.99-251123-0042"
    for typed in ("h29.99-251123-0042", "H2999 251123 0042", "h2999-251123-0042 "):
        assert code_lookup_key(typed) == code_lookup_key(code) == "H29992511230042"
    assert code_digits_key("2999251123 0042") == code_digits_key(code) == "29992511230042"


def test_folding_handles_composed_and_decomposed_vietnamese() -> None:
    composed = "Đăng ký khai sinh – Hồ sơ đã có kết quả"
    decomposed = unicodedata.normalize("NFD", composed)
    assert fold_diacritics(composed) == "Dang ky khai sinh – Ho so da co ket qua"
    assert fold_diacritics(decomposed) == fold_diacritics(composed)
    assert search_key("  ĐĂNG  KÝ Khai sinh ") == "dang ky khai sinh"


@pytest.mark.parametrize(
    ("seconds", "vi", "en"),
    [
        (676, "khoảng 12 phút", "about 12 minutes"),
        (197, "khoảng 4 phút", "about 4 minutes"),
        (60, "khoảng 1 phút", "about 1 minute"),
        (1, "khoảng 1 phút", "about 1 minute"),
        (0, "khoảng 1 phút", "about 1 minute"),
        (7140, "khoảng 119 phút", "about 119 minutes"),
        (7200, "khoảng 2 giờ", "about 2 hours"),
        (86400, "khoảng 24 giờ", "about 24 hours"),
    ],
)
def test_a_wait_is_said_in_minutes_rounded_up(seconds: int, vi: str, en: str) -> None:
    assert minutes_in_words(seconds, "vi") == vi
    assert minutes_in_words(seconds, "en") == en
    assert fold_diacritics(minutes_in_words(seconds, "vi")).startswith("khoang ")
