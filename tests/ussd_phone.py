"""A feature phone for tests: it dials and presses keys through the real HTTP endpoint, in the
Africa's Talking format (every input so far in `text`) or the generic JSON one (latest input)."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import httpx

from domain.dossiers.records import Actor, receive_dossier
from domain.local_time import utc_now
from models.enums import ActorKind
from tests.factories import make_agency, make_citizen, make_office, make_procedure, make_slot

ADAPTERS = ["africastalking", "generic"]
OWNER_PHONE = "+84901234567"
_numbers = itertools.count(1)


class Phone:
    """One USSD session; `screen` is the last reply as `CON …`/`END …` whatever the format."""

    def __init__(self, http: httpx.AsyncClient, adapter: str, phone: str = OWNER_PHONE) -> None:
        self.http, self.adapter, self.phone = http, adapter, phone
        self.session_id = f"ATUid_test_{next(_numbers)}"
        self.inputs: list[str] = []
        self.hops = 0
        self.screen = ""
        self.last_status = 0

    async def _send(self, *, new: bool, key: str | None, hop_id: str | None = None) -> str:
        if self.adapter == "africastalking":
            response = await self.http.post(
                "/channels/ussd/africastalking",
                data={
                    "sessionId": self.session_id,
                    "serviceCode": "*384*1234#",
                    "phoneNumber": self.phone,
                    "networkCode": "45204",
                    "text": "*".join(self.inputs),
                },
            )
            self.last_status = response.status_code
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith("text/plain")
            self.screen = response.text
        else:
            body = {"sessionId": self.session_id, "msisdn": self.phone, "newSession": new}
            if key is not None:
                body["input"] = key
            body["hopId"] = hop_id or str(self.hops)
            response = await self.http.post("/channels/ussd/generic", json=body)
            self.last_status = response.status_code
            assert response.status_code == 200, response.text
            payload = response.json()
            self.screen = ("CON " if payload["continue"] else "END ") + payload["message"]
        assert len(self.screen) <= 182, self.screen
        return self.screen

    async def dial(self) -> str:
        self.inputs, self.hops = [], 0
        return await self._send(new=True, key=None)

    async def press(self, key: str) -> str:
        self.inputs.append(key)
        self.hops += 1
        return await self._send(new=False, key=key)

    async def resend(self) -> str:
        """The gateway retrying the last hop."""
        return await self._send(new=self.hops == 0, key=self.inputs[-1] if self.inputs else None)

    async def press_twice_at_once(self, key: str) -> tuple[str, str]:
        """The gateway sending a hop again before the first has been answered: the same
        `text` (Africa's Talking) or the same `hopId` (generic) twice, concurrently."""
        self.inputs.append(key)
        self.hops += 1
        first, second = await asyncio.gather(
            self._send(new=False, key=key), self._send(new=False, key=key)
        )
        return first, second


OFFICER = Actor(ActorKind.STAFF, "officer-1")


async def city(*, dossiers: int = 2, slots: int = 2):
    """An office with bookable slots, and a citizen owning some dossiers."""
    agency = await make_agency()
    office = await make_office(agency)
    procedure = await make_procedure(agency)
    owner = await make_citizen(phone=OWNER_PHONE)
    received = [
        await receive_dossier(
            citizen=owner,
            procedure=procedure,
            office=office,
            actor=OFFICER,
            received_at=utc_now() - timedelta(hours=2 + n),
        )
        for n in range(dossiers)
    ]
    made = [
        await make_slot(office, capacity=2, starts_in=timedelta(days=2, hours=n))
        for n in range(slots)
    ]
    return owner, office, received, made
