"""GET /v1/procedures, /v1/procedures/{code}, /v1/offices, /v1/offices/{id}/slots."""

from __future__ import annotations

from functools import partial

from domain.appointments.booking import list_open_slots
from domain.appointments.offices import get_office, list_offices
from domain.local_time import utc_now
from domain.policy import current_policy
from domain.procedures import CODE_LENGTH, get_procedure, search_procedures
from mobile_api.access import PUBLIC
from mobile_api.endpoints import Call, Endpoint
from mobile_api.paging import decode_cursor, read_page
from mobile_api.schemas.catalogue import (
    OfficeList,
    OfficeOut,
    ProcedureOut,
    ProcedurePage,
    ProcedureQuery,
    SlotList,
    SlotOut,
    SlotQuery,
)


def _code(value: str) -> str:
    if len(value) > CODE_LENGTH:
        raise ValueError("not a procedure code")
    return value


async def search(call: Call) -> ProcedurePage:
    query: ProcedureQuery = call.query
    after_code = decode_cursor(query.cursor, _code)
    page, next_cursor = await read_page(
        partial(search_procedures, query=query.q, after_code=after_code),
        query.limit,
        lambda procedure: [procedure.code],
    )
    return ProcedurePage(
        items=[ProcedureOut.of(p, call.language) for p in page], next_cursor=next_cursor
    )


async def show_procedure(call: Call) -> ProcedureOut:
    return ProcedureOut.of(await get_procedure(code=call.path["code"]), call.language)


async def offices(call: Call) -> OfficeList:
    return OfficeList(items=[OfficeOut.of(o, call.language) for o in await list_offices()])


async def slots(call: Call) -> SlotList:
    office = await get_office(office_id=call.path["office_id"])
    query: SlotQuery = call.query
    day = query.date or utc_now().astimezone(current_policy().timezone).date()
    return SlotList(items=[SlotOut.of(s) for s in await list_open_slots(office=office, day=day)])


TAG = "procedures and offices"
endpoints = [
    Endpoint(
        "GET",
        "/v1/procedures",
        search,
        "Search procedures, case- and diacritic-insensitive",
        TAG,
        query=ProcedureQuery,
        response=ProcedurePage,
        auth=PUBLIC,
    ),
    Endpoint(
        "GET",
        "/v1/procedures/{code}",
        show_procedure,
        "One procedure",
        TAG,
        response=ProcedureOut,
        auth=PUBLIC,
    ),
    Endpoint(
        "GET", "/v1/offices", offices, "One-stop offices", TAG, response=OfficeList, auth=PUBLIC
    ),
    Endpoint(
        "GET",
        "/v1/offices/{office_id:row_id}/slots",
        slots,
        "Free slots of one local day at an office",
        TAG,
        query=SlotQuery,
        response=SlotList,
        auth=PUBLIC,
    ),
]
