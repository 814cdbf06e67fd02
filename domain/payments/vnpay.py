"""VNPAY's payment API (version 2.1.0): the signed payment URL we send a citizen to, and the
check of what VNPAY sends back (the IPN, and the return URL's parameters).

Signing: every `vnp_` parameter except the hash itself, sorted by name, joined as
`name=quote_plus(value)` with `&`, HMAC-SHA512 with the terminal's hash secret, in hex. The
amount travels as đồng × 100; dates as `yyyyMMddHHmmss` in GMT+7."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus, urlencode

VERSION = "2.1.0"
GMT7 = timezone(timedelta(hours=7))
HASH = "vnp_SecureHash"
_UNSIGNED = frozenset({HASH, "vnp_SecureHashType"})


def signed_text(params: Mapping[str, str]) -> str:
    fields = sorted(
        (k, v) for k, v in params.items() if k.startswith("vnp_") and k not in _UNSIGNED
    )
    return "&".join(f"{name}={quote_plus(str(value))}" for name, value in fields)


def sign(params: Mapping[str, str], *, secret: str) -> str:
    return hmac.new(
        secret.encode("utf-8"), signed_text(params).encode("utf-8"), hashlib.sha512
    ).hexdigest()


def signature_valid(params: Mapping[str, str], *, secret: str) -> bool:
    given = params.get(HASH, "")
    return bool(given) and hmac.compare_digest(given.lower(), sign(params, secret=secret))


def vnpay_time(moment: datetime) -> str:
    return moment.astimezone(GMT7).strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class PaymentOrder:
    reference: str  # vnp_TxnRef: ours, unique per payment attempt
    amount: int  # đồng
    description: str
    created_at: datetime
    expires_at: datetime
    client_ip: str
    locale: str = "vn"


def payment_url(
    order: PaymentOrder, *, base_url: str, terminal: str, secret: str, return_url: str
) -> str:
    if isinstance(order.amount, bool) or order.amount <= 0:
        raise ValueError("an amount is a positive integer of đồng")
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": terminal,
        "vnp_Amount": str(order.amount * 100),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": order.reference,
        "vnp_OrderInfo": order.description,
        "vnp_OrderType": "other",
        "vnp_Locale": order.locale if order.locale in ("vn", "en") else "vn",
        "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": order.client_ip,
        "vnp_CreateDate": vnpay_time(order.created_at),
        "vnp_ExpireDate": vnpay_time(order.expires_at),
    }
    query = "&".join(f"{k}={quote_plus(v)}" for k, v in sorted(params.items()))
    return f"{base_url.rstrip('/')}/paymentv2/vpcpay.html?{query}&" + urlencode(
        {HASH: sign(params, secret=secret)}
    )


def amount_of(params: Mapping[str, str]) -> int | None:
    """The đồng a callback reports, or None when `vnp_Amount` is not whole hundreds."""
    raw = params.get("vnp_Amount", "")
    if not raw.isdigit() or len(raw) > 18 or int(raw) % 100:
        return None
    return int(raw) // 100


def reports_success(params: Mapping[str, str]) -> bool:
    return params.get("vnp_ResponseCode") == "00" and params.get("vnp_TransactionStatus") == "00"
