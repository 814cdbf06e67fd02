"""The payment wire formats (issue 18, first slice): VietQR payloads and VNPAY signatures,
checked against independent implementations (the standard library's CRC-CCITT and HMAC) and the
published check value, not against our own code."""

from __future__ import annotations

import binascii
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote_plus, urlsplit

import pytest

from domain.payments.money import vnd_sms, vnd_text
from domain.payments.vietqr import TransferQr, crc16_ccitt_false, transfer_payload
from domain.payments.vnpay import (
    PaymentOrder,
    amount_of,
    payment_url,
    reports_success,
    sign,
    signature_valid,
)

SECRET = "VNPAYSANDBOXSECRET0123456789ABCD"


def test_crc_is_ccitt_false():
    assert crc16_ccitt_false(b"123456789") == 0x29B1  # the catalogue's check value
    for sample in (b"", b"000201010212", bytes(range(256))):
        assert crc16_ccitt_false(sample) == binascii.crc_hqx(sample, 0xFFFF)


def _fields(payload: str) -> dict[str, str]:
    """An ID-length-value reader written for the test from the EMVCo layout."""
    out, at = {}, 0
    while at < len(payload):
        tag, size = payload[at : at + 2], int(payload[at + 2 : at + 4])
        out[tag] = payload[at + 4 : at + 4 + size]
        at += 4 + size
    return out


def test_a_transfer_payload_carries_account_amount_and_note_with_its_crc():
    qr = TransferQr(bank_bin="970436", account="0071000123456", amount=50_000, note="MGOV P7K2Q")
    payload = transfer_payload(qr)
    top = _fields(payload)
    assert top["00"] == "01" and top["01"] == "12"
    assert top["53"] == "704" and top["54"] == "50000" and top["58"] == "VN"
    merchant = _fields(top["38"])
    assert merchant["00"] == "A000000727" and merchant["02"] == "QRIBFTTA"
    assert _fields(merchant["01"]) == {"00": "970436", "01": "0071000123456"}
    assert _fields(top["62"]) == {"08": "MGOV P7K2Q"}
    body, crc = payload[:-4], payload[-4:]
    assert body.endswith("6304")
    assert crc == f"{binascii.crc_hqx(body.encode('ascii'), 0xFFFF):04X}"


@pytest.mark.parametrize(
    "change",
    [{"bank_bin": "97043"}, {"account": "12 34"}, {"amount": 0}, {"amount": 1.5}, {"note": "đ"}],
)
def test_a_payload_refuses_what_a_bank_app_would_not_read(change):
    values = {"bank_bin": "970436", "account": "0071000123456", "amount": 1000, "note": "MGOV"}
    with pytest.raises(ValueError):
        TransferQr(**{**values, **change})


def _independent_hash(params: dict[str, str]) -> str:
    text = "&".join(
        f"{k}={quote_plus(v)}"
        for k, v in sorted(params.items())
        if k not in ("vnp_SecureHash", "vnp_SecureHashType")
    )
    return hmac.new(SECRET.encode(), text.encode(), hashlib.sha512).hexdigest()


def test_the_payment_url_is_signed_as_vnpay_checks_it():
    created = datetime(2026, 12, 4, 2, 30, tzinfo=UTC)
    order = PaymentOrder(
        reference="P7K2Q-1",
        amount=50_000,
        description="Le phi ho so H29.99-261205-0002",
        created_at=created,
        expires_at=created + timedelta(minutes=15),
        client_ip="203.0.113.9",
    )
    url = payment_url(
        order,
        base_url="https://sandbox.vnpayment.vn",
        terminal="MGOVTEST",
        secret=SECRET,
        return_url="https://mgov.example/payments/vnpay/return",
    )
    parts = urlsplit(url)
    assert parts.path == "/paymentv2/vpcpay.html"
    params = dict(parse_qsl(parts.query))
    assert params["vnp_Amount"] == "5000000"  # đồng × 100
    assert params["vnp_CreateDate"] == "20261204093000"  # GMT+7
    assert params["vnp_ExpireDate"] == "20261204094500"
    assert params["vnp_SecureHash"] == _independent_hash(params)
    assert signature_valid(params, secret=SECRET)


def test_a_tampered_or_unsigned_callback_is_refused():
    ipn = {
        "vnp_Amount": "5000000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "P7K2Q-1",
        "vnp_TmnCode": "MGOVTEST",
        "vnp_OrderInfo": "Le phi ho so",
    }
    signed = {**ipn, "vnp_SecureHash": sign(ipn, secret=SECRET).upper()}
    assert signature_valid(signed, secret=SECRET) and reports_success(signed)
    assert amount_of(signed) == 50_000
    assert not signature_valid({**signed, "vnp_Amount": "500000"}, secret=SECRET)
    assert not signature_valid(ipn, secret=SECRET)
    assert not signature_valid(signed, secret="another-secret")
    assert amount_of({"vnp_Amount": "5000050"}) is None
    assert amount_of({"vnp_Amount": "1e9"}) is None


def test_amounts_are_written_the_vietnamese_way():
    assert vnd_text(50_000) == "50.000 đ"
    assert vnd_sms(1_250_000) == "1.250.000d"
    assert vnd_text(0) == "0 đ"
    with pytest.raises(TypeError):
        vnd_text(50_000.0)  # type: ignore[arg-type]
