"""`mgov seed`, online part: the five forms published by the demo admin, drafts, applications
waiting for review (from the app, USSD and SMS) and one dossier sent back for a supplement.
Everything goes through the domain as a real citizen and officer would do it; only the clock is
set back afterwards, so the queue shows realistic waiting times."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta

from domain.applications.catalog import publish_form
from domain.applications.documents import DocumentStore, StoredBlob, sniff_content_type
from domain.applications.drafts import record_upload
from domain.applications.review import request_supplement
from domain.applications.submission import create_application, submit_application
from domain.phones import normalise_phone
from domain.staff.audit import StaffCaller
from mgov.demo_forms import APPLICATIONS, FORMS
from models import Application, ApplicationDocument, Citizen, OutboxMessage, StaffUser
from models.enums import ApplicationChannel, OnlineLevel, OutboxStatus

SENT_AFTER = timedelta(seconds=1)


def _pdf(title: str) -> bytes:
    """A small PDF a viewer opens: one page saying what the scan stands for."""
    stream = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _png() -> bytes:
    """A 2×2 grey PNG: a stand-in for a phone's photo of a paper."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x80" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _store(store: DocumentStore, content: bytes) -> StoredBlob:
    writer = store.writer()
    writer.write(content)
    return writer.finish()


async def _publish(admin: StaffCaller) -> None:
    for code, (level, short_code, needs_cccd, fields, documents) in FORMS.items():
        await publish_form(
            caller=admin,
            procedure_code=code,
            fields=fields,
            documents=documents,
            online_level=OnlineLevel(level),
            short_code=short_code,
            needs_cccd=needs_cccd,
        )


async def load_online_demo(
    *, out: Callable[[str], object], now: datetime, store: DocumentStore | None
) -> None:
    """Without a store (tests that only need the city) the applications with files are left
    out, as they could not be opened."""
    admin = StaffCaller(await StaffUser.get(username="admin"), "demo-seed")
    await _publish(admin)
    out(f"  {len(FORMS)} online forms published")
    for phone, code, channel, answers, files, story in APPLICATIONS:
        if files and store is None:
            continue
        citizen = await Citizen.get(phone=normalise_phone(phone))
        submit = story != "draft" and not files
        application, _ = await create_application(
            citizen=citizen,
            procedure_code=code,
            answers=answers,
            submit=submit,
            idempotency_key=f"demo-{phone}-{code}",
            channel=ApplicationChannel(channel),
        )
        for kind, filename in files:
            assert store is not None
            content = _png() if filename.endswith(".png") else _pdf(filename)
            await record_upload(
                citizen=citizen,
                application_id=application.id,
                kind=kind,
                blob=_store(store, content),
                content_type=sniff_content_type(content) or "application/pdf",
                filename=filename,
                store=store,
            )
        if files and story != "draft":
            await submit_application(
                citizen=citizen, application_id=application.id, idempotency_key=f"demo-s-{code}"
            )
        if isinstance(story, tuple) and story[0] == "supplement":
            _, fields, kinds, note = story
            await _back_date(application, now - timedelta(days=3))
            dossier = await request_supplement(
                caller=admin,
                application_id=application.id,
                fields=fields,
                documents=kinds,
                note=note,
            )
            out(f"  application {application.id} → dossier {dossier.code}, supplement asked")
        elif isinstance(story, tuple):
            await _back_date(application, now - timedelta(hours=story[1]))
            out(f"  application {application.id} waiting for review ({channel})")
        else:
            out(f"  draft {application.id}")
    await OutboxMessage.filter(status=OutboxStatus.QUEUED).update(
        status=OutboxStatus.SENT, sent_at=now + SENT_AFTER
    )


async def _back_date(application: Application, at: datetime) -> None:
    """The story's submission time, and its documents' and receipt's with it."""
    await Application.filter(id=application.id).update(
        submitted_at=at, touched_at=at, created_at=at
    )
    await ApplicationDocument.filter(application_id=application.id).update(uploaded_at=at)
    await OutboxMessage.filter(
        dedupe_key=f"application:{application.id}:application_submitted"
    ).update(created_at=at, next_attempt_at=at)
