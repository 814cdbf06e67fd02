"""Basic-phone request setup: the staff test city (tests.staff_setup) with two ward procedures
that need no papers beyond identity, their forms published through the admin API with a short
code each, and a caller whose CCCD is on file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from domain.citizens import register_citizen, set_citizen_cccd
from models import Citizen, Procedure
from models.enums import OnlineLevel
from tests.online_setup import publish
from tests.staff_setup import City, build_city

EXTRACT, RESIDENCE = "2.000635", "1.004194"
CALLER = "+84987650001"
CALLER_CCCD = "079090004321"

EXTRACT_FORM: dict[str, Any] = {
    "online_level": "partial",
    "short_code": "TRICHLUC",
    "needs_cccd": True,
    "fields": [
        {
            "name": "extract_type",
            "type": "choice",
            "label_vi": "Loại trích lục",
            "label_en": "Extract of",
            "choices": [
                {"value": "birth", "label_vi": "Khai sinh", "label_en": "Birth"},
                {"value": "marriage", "label_vi": "Kết hôn", "label_en": "Marriage"},
                {"value": "death", "label_vi": "Khai tử", "label_en": "Death"},
            ],
        },
        {
            "name": "registration_year",
            "type": "number",
            "label_vi": "Năm đăng ký",
            "label_en": "Year registered",
            "minimum": 1945,
            "maximum": 2100,
        },
        {
            "name": "full_name",
            "type": "text",
            "label_vi": "Họ tên người được đăng ký",
            "label_en": "Full name on the record",
            "max_length": 100,
        },
    ],
    "documents": [],
}

RESIDENCE_FORM: dict[str, Any] = {
    "online_level": "partial",
    "short_code": "CUTRU",
    "needs_cccd": True,
    "fields": [
        {
            "name": "purpose",
            "type": "choice",
            "label_vi": "Mục đích xác nhận",
            "label_en": "Purpose",
            "choices": [
                {"value": "study", "label_vi": "Đi học", "label_en": "Study"},
                {"value": "work", "label_vi": "Đi làm", "label_en": "Work"},
                {"value": "loan", "label_vi": "Vay vốn", "label_en": "Bank loan"},
                {"value": "other", "label_vi": "Việc khác", "label_en": "Other"},
            ],
        }
    ],
    "documents": [],
}


@dataclass
class PhoneCity:
    city: City
    caller: Citizen
    extract: Procedure
    residence: Procedure


async def _ward_procedure(city: City, code: str, name_vi: str, name_en: str) -> Procedure:
    return await Procedure.create(
        code=code,
        name_vi=name_vi,
        name_en=name_en,
        search_text=name_vi.lower(),
        agency_id=city.office_a.agency_id,
        processing_days=1,
        online_level=OnlineLevel.COUNTER,
    )


async def phone_city(client: httpx.AsyncClient) -> PhoneCity:
    """The two procedures published by the admin, and a caller with a CCCD on file."""
    city = await build_city()
    extract = await _ward_procedure(
        city, EXTRACT, "Cấp bản sao trích lục hộ tịch", "Copy of a civil-status extract"
    )
    residence = await _ward_procedure(
        city, RESIDENCE, "Xác nhận thông tin về cư trú", "Residence confirmation"
    )
    await publish(client, EXTRACT_FORM, EXTRACT)
    await publish(client, RESIDENCE_FORM, RESIDENCE)
    caller = await register_citizen(phone=CALLER, full_name="Lê Thị Hoa")
    await set_citizen_cccd(citizen=caller, cccd=CALLER_CCCD)
    await extract.refresh_from_db()
    await residence.refresh_from_db()
    return PhoneCity(city, caller, extract, residence)
