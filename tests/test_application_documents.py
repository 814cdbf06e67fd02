"""Documents of an application: typed by content, limited in size while streaming, and served
only to their owner and the reviewing agency's officers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from domain.applications.drafts import purge_stale_drafts
from domain.local_time import utc_now
from models import Application, ApplicationDocument
from tests.app_login import assert_problem, signed_in
from tests.conftest import AppWith, http_client
from tests.online_setup import JPEG, PDF, PROCEDURE, online_city, submitted_application, upload
from tests.staff_setup import bearer

pytestmark = pytest.mark.usefixtures("db")
MiB = 1024 * 1024


async def _draft(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    response = await client.post(
        "/v1/applications", json={"procedure_code": PROCEDURE}, headers=headers
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_a_file_that_claims_to_be_a_pdf_but_is_not_is_refused(
    client: httpx.AsyncClient,
) -> None:
    await online_city(client)
    me = await signed_in(client)
    number = await _draft(client, me)
    fake = b"<html><script>alert(1)</script></html>" * 10
    refused = await upload(client, me, number, "lease", fake, "hopdong.pdf", "application/pdf")
    assert_problem(refused, status=422, code="document_type_refused")
    # A real JPEG where the lease must be a PDF is refused too: the kind says what it accepts.
    photo = await upload(client, me, number, "lease", JPEG, "lease.pdf", "application/pdf")
    assert_problem(photo, status=422, code="document_type_refused")
    assert await ApplicationDocument.all().count() == 0
    store = client._transport.app.state.document_store  # type: ignore[attr-defined]
    assert list((store.root / "incoming").iterdir()) == []


class CountingBody:
    """A chunked request body that counts what the server pulled from it."""

    def __init__(self, total: int, head: bytes, boundary: str) -> None:
        self.total, self.head, self.boundary = total, head, boundary
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        start = (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        chunk = bytes(256 * 1024)
        self.sent += len(start) + len(self.head)
        yield start + self.head
        while self.sent < self.total:
            self.sent += len(chunk)  # counted as it is handed over, before the server reads it
            yield chunk
        yield f"\r\n--{self.boundary}--\r\n".encode()


async def _big_upload(
    client: httpx.AsyncClient, headers: dict[str, str], number: int, kind: str, size: int
) -> tuple[httpx.Response, CountingBody]:
    body = CountingBody(size, PDF, "b0undary")
    response = await client.post(
        f"/v1/applications/{number}/documents?kind={kind}",
        content=body,
        headers={**headers, "Content-Type": "multipart/form-data; boundary=b0undary"},
    )
    return response, body


async def test_a_20_mb_upload_is_refused_at_the_limit_without_reading_it_all(
    client: httpx.AsyncClient,
) -> None:
    await online_city(client)
    me = await signed_in(client)
    number = await _draft(client, me)
    # The lease may be 12 MiB: the upload stops there, well before its 20 MB are sent.
    response, body = await _big_upload(client, me, number, "lease", 20 * MiB)
    assert_problem(response, status=413, code="document_too_large")
    assert 12 * MiB <= body.sent <= 12 * MiB + 512 * 1024
    response, body = await _big_upload(client, me, number, "owner_id", 5 * MiB)
    assert_problem(response, status=413, code="document_too_large")
    assert body.sent <= 2 * MiB + 512 * 1024
    assert await ApplicationDocument.all().count() == 0


async def test_the_upload_class_has_its_own_body_limit(app_with: AppWith) -> None:
    limits = {"api": 64 * 1024, "upload": 4 * MiB}
    async with app_with(body_limits=limits) as app, http_client(app) as client:
        await online_city(client)
        me = await signed_in(client)
        number = await _draft(client, me)
        response, body = await _big_upload(client, me, number, "lease", 20 * MiB)
        assert_problem(response, status=413, code="body_too_large")
        assert 4 * MiB <= body.sent <= 4 * MiB + 512 * 1024
        # A JSON body past the API's 64 KiB is refused, while 4 MiB uploads pass.
        big_json = {"answers": {"business_name": "x" * 70_000}}
        patched = await client.patch(f"/v1/applications/{number}", json=big_json, headers=me)
        assert_problem(patched, status=413, code="body_too_large")
        response, _ = await _big_upload(client, me, number, "lease", 3 * MiB)
        assert response.status_code == 201, response.text


async def test_a_10_mb_scan_is_stored_whole(client: httpx.AsyncClient) -> None:
    await online_city(client)
    me = await signed_in(client)
    number = await _draft(client, me)
    response, body = await _big_upload(client, me, number, "lease", 10 * MiB)
    assert response.status_code == 201, response.text
    assert response.json()["size"] == body.sent - len(_preamble())


def _preamble() -> bytes:
    return (
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; '
        b'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    )


async def test_nobody_else_reads_an_application_or_its_documents(
    client: httpx.AsyncClient,
) -> None:
    await online_city(client)
    owner = await signed_in(client, "0901234567")
    number = await submitted_application(client, owner)
    [document] = await ApplicationDocument.filter(application_id=number, kind="lease")
    paths = [f"/v1/applications/{number}", f"/v1/applications/{number}/documents/{document.id}"]
    for path in paths:
        assert (await client.get(path, headers=owner)).status_code == 200
        assert (await client.get(path)).status_code == 401
    neighbour = await signed_in(client, "0912345678")
    for path in paths:
        assert_problem(
            await client.get(path, headers=neighbour),
            status=404,
            code="application_not_found" if "documents" not in path else "application_not_found",
        )
    staff_paths = [p.replace("/v1/", "/v1/staff/") for p in paths]
    other_agency = await bearer(client, "canbo.tuphap")
    for path in staff_paths:
        assert_problem(
            await client.get(path, headers=other_agency), status=403, code="staff_other_agency"
        )
    agent = await bearer(client, "tongdai1")
    for path in staff_paths:
        assert_problem(await client.get(path, headers=agent), status=403, code="staff_forbidden")
    officer = await bearer(client, "canbo.saigon")
    for path in staff_paths:
        assert (await client.get(path, headers=officer)).status_code == 200
    queue = await client.get("/v1/staff/applications", headers=other_agency)
    assert queue.json()["items"] == []


async def test_drafts_untouched_for_30_days_go_with_their_files(
    client: httpx.AsyncClient,
) -> None:
    await online_city(client)
    me = await signed_in(client)
    old, fresh = await _draft(client, me), await _draft(client, me)
    for number, content in ((old, PDF + b"%old"), (fresh, PDF + b"%fresh")):
        assert (await upload(client, me, number, "lease", content)).status_code == 201
    # The old draft's ID photo is the same bytes as the submitted application's.
    assert (await upload(client, me, old, "owner_id", JPEG, "id.jpg")).status_code == 201
    kept = await submitted_application(client, me)
    await Application.filter(id__in=[old, kept]).update(touched_at=utc_now() - timedelta(days=31))
    store = client._transport.app.state.document_store  # type: ignore[attr-defined]
    [lease] = await ApplicationDocument.filter(application_id=old, kind="lease")
    [photo] = await ApplicationDocument.filter(application_id=old, kind="owner_id")
    assert store.exists(lease.sha256) and store.exists(photo.sha256)
    purged = await purge_stale_drafts(store=store, untouched_for=timedelta(days=30))
    assert purged == 1
    assert not await Application.exists(id=old)
    assert not store.exists(lease.sha256)
    assert store.exists(photo.sha256)  # still the submitted application's
    assert await Application.exists(id=fresh) and await Application.exists(id=kept)


async def test_the_export_lists_the_documents_the_citizen_gave(client: httpx.AsyncClient) -> None:
    await online_city(client)
    me = await signed_in(client)
    number = await submitted_application(client, me)
    export = await client.get("/v1/me/export", headers=me)
    assert export.status_code == 200, export.text
    [application] = export.json()["applications"]
    assert application["id"] == number and application["status"] == "submitted"
    documents = export.json()["documents"]
    assert sorted((d["kind"], d["filename"]) for d in documents) == [
        ("lease", "hopdong.pdf"),
        ("owner_id", "cccd.jpg"),
    ]


async def test_a_kind_takes_only_its_number_of_files(client: httpx.AsyncClient) -> None:
    await online_city(client)
    me = await signed_in(client)
    number = await _draft(client, me)
    store = client._transport.app.state.document_store  # type: ignore[attr-defined]

    def files() -> set[str]:
        return {p.name for p in store.root.rglob("*") if p.is_file()}

    before = files()
    assert (await upload(client, me, number, "lease", PDF + b"%first")).status_code == 201
    second = await upload(client, me, number, "lease", PDF + b"%second")
    assert_problem(second, status=409, code="too_many_files")
    assert len(files() - before) == 1
    [document] = (await client.get(f"/v1/applications/{number}", headers=me)).json()["documents"]
    removed = await client.delete(
        f"/v1/applications/{number}/documents/{document['id']}", headers=me
    )
    assert removed.status_code == 204
    assert files() == before
    assert (await upload(client, me, number, "lease", PDF + b"%second")).status_code == 201


async def test_a_body_that_breaks_after_the_file_keeps_no_file(client: httpx.AsyncClient) -> None:
    await online_city(client)
    me = await signed_in(client)
    number = await _draft(client, me)
    store = client._transport.app.state.document_store  # type: ignore[attr-defined]
    before = {p.name for p in store.root.rglob("*") if p.is_file()}
    body = _preamble() + PDF + b"%kept?\r\n--b0undary\r\nbroken-header-without-colon\r\n\r\n"
    response = await client.post(
        f"/v1/applications/{number}/documents?kind=lease",
        content=body,
        headers={**me, "Content-Type": "multipart/form-data; boundary=b0undary"},
    )
    assert_problem(response, status=422, code="upload_malformed")
    assert {p.name for p in store.root.rglob("*") if p.is_file()} == before
    assert await ApplicationDocument.all().count() == 0
