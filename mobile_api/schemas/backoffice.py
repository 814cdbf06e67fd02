"""What the city's back-office software sends to the webhook, and what it gets back."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, RootModel

from mobile_api.paging import MAX_ID
from mobile_api.schemas.common import KeepsNulls
from mobile_api.schemas.staff import StaffDossier
from models.enums import Language


class ReceivedEvent(BaseModel):
    """A dossier received elsewhere (online portal, another counter) to be registered here."""

    type: Literal["dossier.received"]
    event_id: str = Field(min_length=1, max_length=100)
    citizen_phone: str = Field(min_length=1, max_length=32)
    citizen_name: str = Field(default="", max_length=200)
    language: Language = Language.VI
    procedure_code: str = Field(min_length=1, max_length=32)
    agency_code: str | None = Field(default=None, max_length=32)
    office_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class MovedEvent(BaseModel):
    type: Literal["dossier.moved"]
    event_id: str = Field(min_length=1, max_length=100)
    dossier_code: str = Field(min_length=1, max_length=48)
    to_status: str = Field(min_length=1, max_length=24)
    note: str = Field(default="", max_length=500)


class DossierEventBody(
    RootModel[Annotated[ReceivedEvent | MovedEvent, Field(discriminator="type")]]
):
    """One event, told apart by `type`; `event_id` is applied once, replays are a 409."""


class EventApplied(KeepsNulls):
    event_id: str
    dossier: StaffDossier
