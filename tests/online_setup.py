"""Online submission test setup: a city (tests.staff_setup) whose household business
registration has a form published through the admin API, and the files a phone would upload."""

from __future__ import annotations

from typing import Any

import httpx

from tests.staff_setup import City, bearer, build_city

PROCEDURE = "2.000720"
KI = 1024
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)

FORM: dict[str, Any] = {
    "online_level": "partial",
    "fields": [
        {
            "name": "business_name",
            "type": "text",
            "label_vi": "Tên hộ kinh doanh",
            "label_en": "Business name",
            "max_length": 100,
        },
        {
            "name": "owner_cccd",
            "type": "cccd",
            "label_vi": "Số CCCD chủ hộ",
            "label_en": "Owner's CCCD number",
        },
        {
            "name": "address",
            "type": "address",
            "label_vi": "Địa điểm kinh doanh",
            "label_en": "Business address",
        },
        {
            "name": "capital_vnd",
            "type": "number",
            "label_vi": "Vốn kinh doanh (đồng)",
            "label_en": "Capital (VND)",
            "minimum": 0,
            "maximum": 10_000_000_000,
        },
        {
            "name": "start_date",
            "type": "date",
            "label_vi": "Ngày bắt đầu",
            "label_en": "Start date",
        },
        {
            "name": "line",
            "type": "choice",
            "label_vi": "Ngành nghề",
            "label_en": "Line",
            "choices": [
                {"value": "food", "label_vi": "Ăn uống", "label_en": "Food and drink"},
                {"value": "retail", "label_vi": "Bán lẻ", "label_en": "Retail"},
            ],
        },
        {
            "name": "contact_phone",
            "type": "phone",
            "label_vi": "Số điện thoại liên hệ",
            "label_en": "Contact phone",
            "required": False,
        },
    ],
    "documents": [
        {
            "kind": "owner_id",
            "name_vi": "Ảnh CCCD chủ hộ",
            "name_en": "Owner's ID card",
            "types": ["image/jpeg", "image/png", "application/pdf"],
            "photo_ok": True,
            "max_bytes": 2 * 1024 * 1024,
        },
        {
            "kind": "lease",
            "name_vi": "Hợp đồng thuê mặt bằng",
            "name_en": "Premises lease",
            "types": ["application/pdf"],
            "max_bytes": 12 * 1024 * 1024,
        },
    ],
}

ANSWERS = {
    "business_name": "Quán Cơm Tấm Sài Gòn",
    "owner_cccd": "079 203 001 234",
    "address": "12 Lê Lợi, phường Sài Gòn",
    "capital_vnd": 50_000_000,
    "start_date": "15/01/2027",
    "line": "food",
}


async def publish(
    client: httpx.AsyncClient, form: dict[str, Any] = FORM, code: str = PROCEDURE
) -> None:
    response = await client.put(
        f"/v1/staff/procedures/{code}/form", json=form, headers=await bearer(client, "admin")
    )
    assert response.status_code == 201, response.text


async def online_city(client: httpx.AsyncClient) -> City:
    city = await build_city()
    await publish(client)
    return city


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    application_id: int,
    kind: str,
    content: bytes,
    filename: str = "scan.pdf",
    claimed: str = "application/pdf",
) -> httpx.Response:
    return await client.post(
        f"/v1/applications/{application_id}/documents?kind={kind}",
        files={"file": (filename, content, claimed)},
        headers=headers,
    )


async def submitted_application(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    """A complete application, submitted; returns its id."""
    draft = await client.post(
        "/v1/applications",
        json={"procedure_code": PROCEDURE, "answers": ANSWERS},
        headers=headers,
    )
    assert draft.status_code == 201, draft.text
    number = int(draft.json()["id"])
    for kind, content, name in (("owner_id", JPEG, "cccd.jpg"), ("lease", PDF, "hopdong.pdf")):
        response = await upload(client, headers, number, kind, content, name)
        assert response.status_code == 201, response.text
    response = await client.post(
        f"/v1/applications/{number}/submit", headers={**headers, "Idempotency-Key": f"k-{number}"}
    )
    assert response.status_code == 200, response.text
    return number
