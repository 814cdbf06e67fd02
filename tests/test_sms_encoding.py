"""SMS encoding: which alphabet a message needs, how many parts it costs, and what we send.

Expected numbers are worked out by hand from the limits: GSM-7 160 alone / 153 per part,
UCS-2 70 alone / 67 per part.
"""

from __future__ import annotations

import random
import unicodedata

import pytest

from domain.sms_text import (
    _TYPOGRAPHIC,
    GSM7_BASIC,
    GSM7_EXTENSION,
    SmsEncoding,
    is_gsm7,
    measure_sms,
    to_sms_text,
)

RESULT = "Hồ sơ H29.99-251123-0042 đã có kết quả."
RESULT_SENT = "Ho so H29.99-251123-0042 da co ket qua."  # 39 characters


def test_alphabet_tables_have_the_gsm_03_38_sizes() -> None:
    # 128 basic codes minus the escape; 9 printable extension characters plus form feed.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert GSM7_BASIC.isdisjoint(GSM7_EXTENSION)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("Hello, World! 0-9 @£$¥ §¿¡ ÄÖÑÜäöñüà ÆæßÉ ΔΦΓΛΩΠΨΣΘΞ\r\n", True),
        ("{}[]~|^\\€\f", True),
        ("é", True),
        ("ç", False),  # only the capital Ç is in the basic table
        ("`", False),
        ("ă", False),
        ("đ", False),
        ("😀", False),
    ],
)
def test_is_gsm7(text: str, expected: bool) -> None:
    assert is_gsm7(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SmsEncoding("GSM-7", 0, 0)),
        ("a" * 160, SmsEncoding("GSM-7", 160, 1)),
        ("a" * 161, SmsEncoding("GSM-7", 161, 2)),
        ("a" * 306, SmsEncoding("GSM-7", 306, 2)),
        ("a" * 307, SmsEncoding("GSM-7", 307, 3)),
        ("[", SmsEncoding("GSM-7", 2, 1)),
        ("a[b", SmsEncoding("GSM-7", 4, 1)),
        ("a" * 158 + "€", SmsEncoding("GSM-7", 160, 1)),
        ("a" * 159 + "€", SmsEncoding("GSM-7", 161, 2)),
    ],
)
def test_gsm7_units_and_segments(text: str, expected: SmsEncoding) -> None:
    assert measure_sms(text) == expected


def test_an_escape_pair_that_would_straddle_a_part_boundary_moves_to_the_next_part() -> None:
    # 152 + 2 would be 154 > 153, so "€" starts part 2 (2 + 151 = 153) and the last "a" needs a
    # third part, although ceil(306 / 153) is 2.
    assert measure_sms("a" * 152 + "€" + "a" * 152) == SmsEncoding("GSM-7", 306, 3)
    # Same length with the pair ending exactly on the boundary: 151 + 2 = 153, then 153.
    assert measure_sms("a" * 151 + "€" + "a" * 153) == SmsEncoding("GSM-7", 306, 2)


@pytest.mark.parametrize(
    ("count", "segments"),
    [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3)],
)
def test_ucs2_units_and_segments(count: int, segments: int) -> None:
    assert measure_sms("ă" * count) == SmsEncoding("UCS-2", count, segments)


def test_an_emoji_counts_two_utf16_units() -> None:
    assert measure_sms("😀") == SmsEncoding("UCS-2", 2, 1)
    assert measure_sms("a" * 68 + "😀") == SmsEncoding("UCS-2", 70, 1)
    assert measure_sms("a" * 69 + "😀") == SmsEncoding("UCS-2", 71, 2)


def test_a_surrogate_pair_that_would_straddle_a_part_boundary_moves_to_the_next_part() -> None:
    # 66 + 2 would be 68 > 67: the emoji starts part 2 (2 + 65 = 67), the last "ă" a third part.
    assert measure_sms("ă" * 66 + "😀" + "ă" * 66) == SmsEncoding("UCS-2", 134, 3)
    assert measure_sms("ă" * 65 + "😀" + "ă" * 67) == SmsEncoding("UCS-2", 134, 2)


def test_one_vietnamese_diacritic_turns_a_100_character_text_into_ucs2() -> None:
    assert measure_sms("a" * 100) == SmsEncoding("GSM-7", 100, 1)
    assert measure_sms("a" * 99 + "ă") == SmsEncoding("UCS-2", 100, 2)


def test_a_vietnamese_result_notice_is_folded_to_one_gsm7_segment() -> None:
    assert measure_sms(RESULT) == SmsEncoding("UCS-2", 39, 1)
    sent = to_sms_text(RESULT)
    assert sent == RESULT_SENT
    assert measure_sms(sent) == SmsEncoding("GSM-7", 39, 1)


def test_composed_and_decomposed_input_give_the_same_text_and_measure() -> None:
    composed = unicodedata.normalize("NFC", RESULT)
    decomposed = unicodedata.normalize("NFD", RESULT)
    assert composed != decomposed
    assert to_sms_text(decomposed) == to_sms_text(composed) == RESULT_SENT
    # Raw NFD pays a unit per combining mark (ồ, ế +2; ơ, ã, ó, ả +1): 39 + 8 = 47.
    assert measure_sms(decomposed) == SmsEncoding("UCS-2", 47, 1)
    kept = to_sms_text(decomposed, keep_diacritics=True)
    assert kept == composed
    assert measure_sms(kept) == measure_sms(composed) == SmsEncoding("UCS-2", 39, 1)


def test_typographic_characters_are_replaced_with_plain_ones() -> None:
    typed = "7:30\u201311:30 \u2014 \u2018Một cửa\u2019 \u201cxong\u201d\u2026\u00a0hết"
    assert to_sms_text(typed) == "7:30-11:30 - 'Mot cua' \"xong\"... het"


def test_characters_outside_gsm7_become_question_marks() -> None:
    assert to_sms_text("Xin chào 😀") == "Xin chao ?"
    assert to_sms_text("中文") == "??"
    # A Hangul syllable decomposes into jamo; it must still become a single "?".
    assert to_sms_text("한") == "?"


def test_gsm7_characters_are_kept_including_the_extension_table() -> None:
    text = "@£$¥ {}[]~|^\\€ ΔΩ ß Æø \r\n§¿¡#¤%&*"
    assert to_sms_text(text) == text


def test_latin_accents_are_folded_even_when_gsm7_has_them() -> None:
    # fold_diacritics is applied to the whole text; "café" could stay as is, but plain is fine.
    assert to_sms_text("café Ç Äñ Å") == "cafe C An A"


def test_emoji_is_kept_and_counts_two_units_with_diacritics_kept() -> None:
    kept = to_sms_text("Xin chào 😀", keep_diacritics=True)
    assert kept == "Xin chào 😀"
    assert measure_sms(kept) == SmsEncoding("UCS-2", 11, 1)


def test_keep_diacritics_returns_nfc_and_changes_nothing_else() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng ký “khai sinh” – xong…")
    kept = to_sms_text(decomposed, keep_diacritics=True)
    assert kept == unicodedata.normalize("NFC", decomposed)
    assert unicodedata.is_normalized("NFC", kept)
    assert kept == "Đăng ký “khai sinh” – xong…"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tab\there", "tab here"),
        ("soft\u00adhyphen", "softhyphen"),
        ("a\u200bb", "ab"),
        ("\u00abxong\u00bb", '"xong"'),
        ("\u00e7 `", "c ?"),
    ],
)
def test_invisible_and_stray_characters(text: str, expected: str) -> None:
    assert to_sms_text(text) == expected
    assert is_gsm7(expected)


def _folded_whole(text: str) -> str:
    """The folding spelled out on the whole text, as a reference for the per-character table."""
    text = text.translate(str.maketrans({"đ": "d", "Đ": "D"}))
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    folded = unicodedata.normalize("NFC", bare).translate(_TYPOGRAPHIC)
    return "".join(ch if ch in GSM7_BASIC or ch in GSM7_EXTENSION else "?" for ch in folded)


def _measured_char_by_char(text: str) -> SmsEncoding:
    """Parts counted by filling 153-septet parts one character at a time, as an encoder does."""
    if not is_gsm7(text):
        return measure_sms(text)
    costs = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    if sum(costs) <= 160:
        return SmsEncoding("GSM-7", sum(costs), 1 if costs else 0)
    parts, filled = 1, 0
    for cost in costs:
        if filled + cost > 153:
            parts, filled = parts + 1, 0
        filled += cost
    return SmsEncoding("GSM-7", sum(costs), parts)


def test_folding_by_table_matches_folding_the_whole_text() -> None:
    """Random texts mixing Vietnamese, stray combining marks, Hangul jamo, Greek, CJK, emoji and
    typographic characters fold the same through the fast table as through the whole text."""
    rng = random.Random(20261123)
    alphabet = (
        list("Hồ sơ đã có kết quả Đăng ký ĐẶT LỊCH ạ ỷ ữ abcXYZ 0123 .,:;-!?\n")
        + ["\u0301", "\u0323", "\u0302", "\u0306", "\u031b"]  # combining marks, on their own
        + ["\u1100", "\u1161", "\u11a8", "\uac00"]  # Hangul jamo and a syllable
        + list("ΔΣάέ€{}[]~|^\\\f")
        + ["中", "文", "😀", "\u2013", "\u2019", "\u2026", "\u00a0"]
        + ["\u200b", "\u00ad", "\u01c6", "\u2000", "\x00", "`"]
    )
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert to_sms_text(text) == _folded_whole(text), repr(text)


def test_part_counts_match_filling_parts_character_by_character() -> None:
    for text in ["", "a", "a" * 160, "a" * 161, "a" * 306, "a" * 307, "{" * 80, "a{" * 60]:
        assert measure_sms(text) == _measured_char_by_char(text), len(text)
