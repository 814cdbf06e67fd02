"""The VietQR (NAPAS 247) bank-transfer payload every Vietnamese banking app scans: EMVCo
merchant-presented fields, each `ID` (2 digits) + length (2 digits) + value, closed by a
CRC-16/CCITT-FALSE over everything before it, `6304` included.

A payment request's payload names the agency's account, the amount and a transfer note that
carries the short payment reference, so that a transfer can be matched to what it pays."""

from __future__ import annotations

import re
from dataclasses import dataclass

NAPAS_GUID = "A000000727"
TRANSFER_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
_BIN = re.compile(r"^\d{6}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{1,19}$")
# What a transfer note may hold: banking apps pass A–Z, digits and spaces through untouched.
_NOTE = re.compile(r"^[0-9A-Z ]{1,25}$")


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"field {tag} is over 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt_false(data: bytes) -> int:
    """Polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


@dataclass(frozen=True)
class TransferQr:
    """What one payment's QR asks the payer's bank to do."""

    bank_bin: str
    account: str
    amount: int
    note: str

    def __post_init__(self) -> None:
        if not _BIN.match(self.bank_bin):
            raise ValueError("a bank BIN has 6 digits")
        if not _ACCOUNT.match(self.account):
            raise ValueError("an account number has 1-19 letters or digits")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount <= 0:
            raise ValueError("an amount is a positive integer of đồng")
        if not _NOTE.match(self.note):
            raise ValueError("a transfer note has 1-25 capital letters, digits or spaces")


def transfer_payload(qr: TransferQr) -> str:
    """A dynamic payload (`01` = `12`: this amount, this once)."""
    beneficiary = _field("00", qr.bank_bin) + _field("01", qr.account)
    merchant = (
        _field("00", NAPAS_GUID) + _field("01", beneficiary) + _field("02", TRANSFER_TO_ACCOUNT)
    )
    body = (
        _field("00", "01")
        + _field("01", "12")
        + _field("38", merchant)
        + _field("53", CURRENCY_VND)
        + _field("54", str(qr.amount))
        + _field("58", "VN")
        + _field("62", _field("08", qr.note))
        + "6304"
    )
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"
