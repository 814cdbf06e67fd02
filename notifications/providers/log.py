"""The development provider: prints each message as the phone would show it, on the worker's
standard output (not the log), so a newcomer running `make run` can read an OTP there."""

from __future__ import annotations

import sys
from typing import TextIO

from domain.phones import mask_phone
from notifications.providers.base import Accepted, OutgoingMessage, Provider


class LogProvider(Provider):
    name = "log"

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out

    async def _send(self, message: OutgoingMessage) -> Accepted:
        out = self.out or sys.stdout
        heading = f"{message.title} · " if message.title else ""
        out.write(f"┌── to {mask_phone(message.phone)} · {heading}ref {message.id}\n")
        for line in message.body.splitlines() or [""]:
            out.write(f"│ {line}\n")
        out.write("└──\n")
        out.flush()
        return Accepted(self.name, f"log-{message.id}")
