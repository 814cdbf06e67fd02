"""The officers' review pages (mobile_api/console/review.py) through the real app: the queue of
their agency, an application with its answers and documents, the three decisions with the CSRF
token, errors in the officer's language, and the same audit rows as the staff API. The browser
test (test_console_review_browser.py) drives it in Chromium."""

from __future__ import annotations

import html

import httpx
import pytest

from domain.local_time import local_text
from models import Application, AuditLog, Dossier, SupplementRequest
from models.enums import ApplicationStatus, DossierStatus
from tests.app_login import signed_in
from tests.console_forms import csrf_of, sign_in
from tests.online_setup import PDF, online_city, submitted_application

pytestmark = pytest.mark.usefixtures("db")


async def _two_waiting(client: httpx.AsyncClient) -> tuple[int, int]:
    await online_city(client)
    me = await signed_in(client)
    return await submitted_application(client, me), await submitted_application(client, me)


async def test_an_officer_reads_the_queue_of_their_agency_oldest_first(
    client: httpx.AsyncClient,
) -> None:
    first, second = await _two_waiting(client)
    assert (await client.get("/console/applications")).headers["location"] == "/console/login"
    await sign_in(client, "canbo.saigon")
    home = await client.get("/console")
    assert 'href="/console/applications"' in home.text
    page = await client.get("/console/applications")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert text.index(f'data-application="{first}"') < text.index(f'data-application="{second}"')
    for shown in ("Nguyễn Văn An", "Ứng dụng", "2.000720", "giờ làm việc", "Cũ nhất trước"):
        assert shown in text, shown
    english = await client.get("/console/applications?lang=en")
    assert "office hours" in english.text and "Applicant" in english.text
    forged = await client.get("/console/applications?after=not-ours")
    assert forged.status_code == 422 and "data-application=" not in forged.text

    client.cookies.clear()
    await sign_in(client, "admin")  # every agency's
    everyone = await client.get("/console/applications")
    assert 'href="/console/applications"' in everyone.text
    assert f'data-application="{first}"' in everyone.text

    client.cookies.clear()
    await sign_in(client, "canbo.tuphap")
    other = await client.get("/console/applications")
    assert other.status_code == 200
    assert "data-application=" not in other.text
    assert "Không có hồ sơ nào chờ xem xét." in other.text


async def test_agents_and_supervisors_have_no_queue(client: httpx.AsyncClient) -> None:
    await _two_waiting(client)
    for username in ("tongdai1", "giamsat"):
        client.cookies.clear()
        await sign_in(client, username)
        home = await client.get("/console")
        assert 'href="/console/applications"' not in home.text
        page = await client.get("/console/applications?lang=en")
        assert page.status_code == 403, username
        assert "Your role may not do this (application.review)." in page.text
        assert "data-application=" not in page.text


async def test_an_application_shows_labelled_answers_and_streams_its_documents(
    client: httpx.AsyncClient,
) -> None:
    number, _ = await _two_waiting(client)
    await sign_in(client, "canbo.saigon")
    page = await client.get(f"/console/applications/{number}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = html.unescape(page.text)
    for shown in (
        "Tên hộ kinh doanh",
        "Quán Cơm Tấm Sài Gòn",
        "Ăn uống",  # a choice by its label
        "15/01/2027",  # a date as written here
        "50.000.000",  # an amount with its thousands marked
        "(không khai)",  # the optional phone left blank
        "Hợp đồng thuê mặt bằng",
        "hopdong.pdf",
    ):
        assert shown in text, shown
    application = await Application.get(id=number).prefetch_related("documents")
    lease = next(d for d in application.documents if d.kind == "lease")
    link = f"/console/applications/{number}/documents/{lease.id}"
    assert f'href="{link}"' in page.text
    download = await client.get(link)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["cache-control"] == "no-store"
    assert download.headers["content-disposition"].startswith('attachment; filename="hopdong.pdf"')
    actions = await AuditLog.filter(subject__startswith=f"application:{number}").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["application.document", "application.open"]

    client.cookies.clear()
    await sign_in(client, "canbo.tuphap")
    refused = await client.get(f"/console/applications/{number}?lang=en")
    assert refused.status_code == 403 and "belongs to another agency" in refused.text
    assert "Quán Cơm Tấm" not in refused.text
    assert (await client.get(link)).status_code == 403
    missing = await client.get(f"/console/applications/{number}/documents/999999")
    assert missing.status_code == 403  # another agency's application: not even whether it exists


async def test_accepting_shows_the_dossier_code_and_due_date(client: httpx.AsyncClient) -> None:
    number, _ = await _two_waiting(client)
    await sign_in(client, "canbo.saigon")
    page = await client.get(f"/console/applications/{number}")
    url = f"/console/applications/{number}/accept"
    forged = await client.post(url, data={"csrf": "guess"})
    assert forged.status_code == 403
    assert "Biểu mẫu đã hết hạn" in forged.text
    assert (await Application.get(id=number)).status == ApplicationStatus.SUBMITTED
    done = await client.post(url, data={"csrf": csrf_of(page)})
    assert done.status_code == 303
    assert done.headers["location"] == f"/console/applications/{number}?done=accepted"
    dossier = await Dossier.get(applications__id=number)
    after = await client.get(done.headers["location"])
    due = local_text(dossier.due_at, "%d/%m/%Y")
    assert f"Đã tiếp nhận: hồ sơ {dossier.code}, hẹn trả kết quả {due}." in after.text
    assert 'action="/console/applications/' not in after.text  # nothing left to decide
    again = await client.post(f"{url}?lang=en", data={"csrf": csrf_of(page)})
    assert again.status_code == 409 and "This request was already decided" in again.text
    assert await AuditLog.filter(action="application.accept").count() == 1


async def test_a_refusal_needs_a_reason_the_citizen_reads(client: httpx.AsyncClient) -> None:
    number, _ = await _two_waiting(client)
    await sign_in(client, "canbo.saigon")
    page = await client.get(f"/console/applications/{number}?lang=en")
    url = f"/console/applications/{number}/refuse"
    blank = await client.post(url, data={"csrf": csrf_of(page), "reason": "  "})
    assert blank.status_code == 422 and "Please give a reason for this action." in blank.text
    long = "x" * 501
    too_long = await client.post(url, data={"csrf": csrf_of(page), "reason": long})
    assert too_long.status_code == 422 and long in too_long.text  # kept as typed
    reason = "Địa điểm không được phép kinh doanh ăn uống"
    done = await client.post(url, data={"csrf": csrf_of(page), "reason": reason})
    assert done.headers["location"].endswith("?done=refused")
    after = await client.get(done.headers["location"])
    assert "Refused; the citizen has been told the reason." in after.text
    assert reason in html.unescape(after.text)
    stored = await Application.get(id=number)
    assert stored.status == ApplicationStatus.REFUSED and stored.refusal_reason == reason


async def test_a_supplement_names_the_ticked_items_and_keeps_the_form_on_error(
    client: httpx.AsyncClient,
) -> None:
    number, _ = await _two_waiting(client)
    await sign_in(client, "canbo.saigon")
    page = await client.get(f"/console/applications/{number}")
    url = f"/console/applications/{number}/supplement"
    empty = await client.post(url, data={"csrf": csrf_of(page), "note": "Thiếu giấy tờ"})
    assert empty.status_code == 422
    assert "Hãy nêu ít nhất một mục hoặc giấy tờ cần bổ sung" in empty.text
    assert ">Thiếu giấy tờ</textarea>" in empty.text
    form = {
        "csrf": csrf_of(page),
        "field": ["address"],
        "document": ["lease", "owner_id"],
        "note": "Hợp đồng đã hết hạn",
    }
    done = await client.post(url, data=form)
    assert done.headers["location"].endswith("?done=supplement")
    dossier = await Dossier.get(applications__id=number)
    assert dossier.status == DossierStatus.NEEDS_SUPPLEMENT
    asked = await SupplementRequest.get(dossier=dossier)
    assert (asked.fields_asked, asked.documents_asked) == (["address"], ["lease", "owner_id"])
    assert asked.note == "Hợp đồng đã hết hạn"
    after = await client.get(done.headers["location"])
    assert f"Đã tiếp nhận hồ sơ {dossier.code} và yêu cầu bổ sung" in after.text
    assert "Chờ bổ sung" in after.text  # the dossier's status, beside its code
