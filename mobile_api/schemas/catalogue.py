"""Procedures, offices and slots: what can be applied for, where, and when."""

from __future__ import annotations

import datetime as dt
from datetime import datetime

from pydantic import BaseModel, Field

from domain.catalogue import localised_name
from mobile_api.schemas.common import PageQuery
from models import Office, OfficeSlot, Procedure
from models.enums import OnlineLevel


class AgencyOut(BaseModel):
    code: str
    name: str


class ProcedureOut(BaseModel):
    code: str
    name: str
    agency: AgencyOut
    processing_days: int
    fee_vnd: int
    online_level: OnlineLevel

    @classmethod
    def of(cls, procedure: Procedure, language: str) -> ProcedureOut:
        agency = procedure.agency
        return cls(
            code=procedure.code,
            name=localised_name(procedure, language),
            agency=AgencyOut(code=agency.code, name=localised_name(agency, language)),
            processing_days=procedure.processing_days,
            fee_vnd=procedure.fee_vnd,
            online_level=procedure.online_level,
        )


class ProcedureQuery(PageQuery):
    q: str = Field(default="", max_length=100, description="words to find, any case or accents")


class ProcedurePage(BaseModel):
    items: list[ProcedureOut]
    next_cursor: str | None = None


class OfficeOut(BaseModel):
    id: int
    name: str
    address: str
    agency: AgencyOut | None = None

    @classmethod
    def of(cls, office: Office, language: str, *, with_agency: bool = True) -> OfficeOut:
        agency = office.agency if with_agency else None
        return cls(
            id=office.id,
            name=localised_name(office, language),
            address=office.address,
            agency=AgencyOut(code=agency.code, name=localised_name(agency, language))
            if agency
            else None,
        )


class OfficeList(BaseModel):
    items: list[OfficeOut]


class SlotQuery(BaseModel):
    date: dt.date | None = Field(
        default=None,
        ge=dt.date(2000, 1, 1),
        le=dt.date(2099, 12, 31),
        description="local day, YYYY-MM-DD; today if absent",
    )


class SlotOut(BaseModel):
    id: int
    starts_at: datetime
    duration_minutes: int
    seats_left: int

    @classmethod
    def of(cls, slot: OfficeSlot) -> SlotOut:
        return cls(
            id=slot.id,
            starts_at=slot.starts_at,
            duration_minutes=slot.duration_minutes,
            seats_left=max(0, slot.capacity - slot.booked),
        )


class SlotList(BaseModel):
    items: list[SlotOut]
