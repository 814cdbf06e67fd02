"""Amounts are integers of đồng everywhere; this is how a citizen reads one: `50.000 đ` in the
app, `50.000d` in an unaccented SMS (dots group the thousands, as Vietnamese writes them)."""

from __future__ import annotations


def _grouped(amount: int) -> str:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("an amount is an integer number of đồng")
    sign = "-" if amount < 0 else ""
    return sign + f"{abs(amount):,}".replace(",", ".")


def vnd_text(amount: int) -> str:
    return f"{_grouped(amount)} đ"


def vnd_sms(amount: int) -> str:
    return f"{_grouped(amount)}d"
