"""Test numbers (as GOV.UK Notify has): a configured range that never reaches a gateway, so
training and QA send nothing real. The last digit picks what happens:
0–3 delivered, 4–6 a temporary failure (retried), 7–9 a permanent failure."""

from __future__ import annotations

from notifications.providers.base import Accepted, OutgoingMessage, Provider, SendFailure


class TestNumberProvider(Provider):
    __test__ = False  # not a pytest class, despite its name
    name = "test-number"

    async def _send(self, message: OutgoingMessage) -> Accepted:
        last = int(message.phone[-1])
        if last <= 3:
            return Accepted(self.name, f"test-delivered-{message.id}")
        if last <= 6:
            raise SendFailure("simulated temporary failure", retryable=True)
        raise SendFailure("simulated permanent failure", retryable=False)


def is_test_number(phone: str, prefix: str) -> bool:
    return bool(prefix) and phone.startswith(prefix)
