"""How an SMS will be encoded and how many parts it costs, and the text we actually send.

One Vietnamese diacritic switches a message from GSM-7 (160 characters, 153 per part) to UCS-2
(70, 67 per part), roughly tripling its price, so notifications fold diacritics by default and
this module measures what the gateway will bill.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from domain.text import fold_diacritics

# GSM 03.38 default alphabet, basic table, in code order (0x1B, the escape to the extension
# table, is not a character and is left out): 127 characters that cost one septet each.
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

# Extension table: each is sent as ESC + character, so it costs two septets.
GSM7_EXTENSION: frozenset[str] = frozenset("^{}\\[]~|€\f")

_GSM7_SINGLE = 160
_GSM7_PART = 153  # 7 septets of each part go to the concatenation header
_UCS2_SINGLE = 70
_UCS2_PART = 67  # 3 code units of each part go to the concatenation header

# Characters that word processors and phone keyboards put in text and that have a plain GSM-7
# look-alike; mapping them keeps a message in GSM-7 instead of sending "?".
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus sign
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark, also the usual typed apostrophe
        "\u201a": "'",  # single low-9 quotation mark
        "\u2032": "'",  # prime
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # double low-9 quotation mark
        "\u2033": '"',  # double prime
        "\u00ab": '"',  # left-pointing double angle quotation mark
        "\u00bb": '"',  # right-pointing double angle quotation mark
        "\u2026": "...",  # horizontal ellipsis
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space
        "\u2009": " ",  # thin space
        "\t": " ",
        "\u00ad": None,  # soft hyphen: invisible unless a line breaks there
        "\u200b": None,  # zero-width space
    }
)


@dataclass(frozen=True)
class SmsEncoding:
    """What a message costs: its encoding, its length in that encoding's units, and its parts."""

    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2
    segments: int  # parts the gateway sends and bills; 0 for the empty message


_GSM7_ALL: frozenset[str] = GSM7_BASIC | GSM7_EXTENSION


def is_gsm7(text: str) -> bool:
    """Whether every character has a GSM-7 code, i.e. the message can avoid UCS-2."""
    return _GSM7_ALL.issuperset(text)


def measure_sms(text: str) -> SmsEncoding:
    """Encoding, length and number of parts of `text` exactly as given.

    No normalisation happens here: measure what will be sent, i.e. the output of `to_sms_text`
    (decomposed input would otherwise count every combining mark as a unit of its own).

    Parts are counted the way a splitting encoder fills them, not as `ceil(units / 153)`: an
    escape pair (GSM-7) or a surrogate pair (UCS-2) is never cut, so one that would straddle a
    part boundary moves whole to the next part, which can cost one more part than the ceiling.
    """
    if GSM7_BASIC.issuperset(text):  # no escape pair to straddle a boundary: the ceiling holds
        units = len(text)
        segments = 0 if not units else 1 if units <= _GSM7_SINGLE else -(-units // _GSM7_PART)
        return SmsEncoding("GSM-7", units, segments)
    if is_gsm7(text):
        costs = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SmsEncoding("GSM-7", sum(costs), _count_parts(costs, _GSM7_SINGLE, _GSM7_PART))
    # Gateways send "UCS-2" as UTF-16: a character outside the BMP (most emoji) is a
    # surrogate pair and costs two units.
    costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SmsEncoding("UCS-2", sum(costs), _count_parts(costs, _UCS2_SINGLE, _UCS2_PART))


def _count_parts(costs: list[int], single: int, part: int) -> int:
    """Parts needed to send characters of these costs, never splitting one character."""
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    parts, filled = 1, 0
    for cost in costs:
        if filled + cost > part:
            parts, filled = parts + 1, 0
        filled += cost
    return parts


def to_sms_text(text: str, *, keep_diacritics: bool = False) -> str:
    """The text we actually send: folded to GSM-7 by default, so a Vietnamese message costs one
    part instead of three; with `keep_diacritics`, composed (NFC) so that decomposed input does
    not pay a unit for every combining mark."""
    if keep_diacritics:
        return unicodedata.normalize("NFC", text)
    quick = text.translate(_LATIN_TO_SMS)
    if _GSM7_ALL.issuperset(quick):
        return quick
    return _fold_to_sms(text)


def _fold_to_sms(text: str) -> str:
    """The folding itself, for any text."""
    # fold_diacritics decomposes; recomposing what is left (e.g. Hangul jamo) makes each
    # remaining character one "?" rather than several.
    folded = unicodedata.normalize("NFC", fold_diacritics(text)).translate(_TYPOGRAPHIC)
    return "".join(ch if ch in GSM7_BASIC or ch in GSM7_EXTENSION else "?" for ch in folded)


# The same folding, worked out once per character for the Latin blocks (Vietnamese included)
# and general punctuation: none of them is a combining mark or composes with a neighbour, so
# folding a text of them character by character gives what folding it whole gives. A text with
# anything else (a stray combining mark, another script) keeps such a character untranslated,
# fails the GSM-7 check, and takes the general path.
_LATIN_TO_SMS = {
    code: _fold_to_sms(chr(code))
    for block in (range(0x0000, 0x0250), range(0x1E00, 0x1F00), range(0x2000, 0x2070))
    for code in block
}
