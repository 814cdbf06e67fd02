"""The bare endpoint of `bench/uploads.py`: the least an upload can cost in this stack, served by
a uvicorn process of its own, started as `mgov web` starts its own (uvloop, httptools, no access
log, no proxy headers).

`POST /upload` writes the request body, as `request.stream()` hands it over, to a new file in
`UPLOAD_SINK_DIR` with the same blocking `write` the document store uses, closes it and answers
201 with the byte count. It reads no header, parses no multipart, checks no token and touches no
database: the whole multipart body, boundaries included, lands on disk. It hashes nothing unless
`UPLOAD_SINK_SHA256=1`, when it also takes each chunk's SHA-256 as the document store does, to
tell that cost from the rest of mgov's."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DIRECTORY = Path(os.environ.get("UPLOAD_SINK_DIR", "."))
SHA256 = os.environ.get("UPLOAD_SINK_SHA256") == "1"


async def upload(request: Request) -> JSONResponse:
    size = 0
    digest = hashlib.sha256()
    with open(DIRECTORY / uuid.uuid4().hex, "wb") as file:
        async for chunk in request.stream():
            if SHA256:
                digest.update(chunk)
            file.write(chunk)
            size += len(chunk)
    return JSONResponse({"size": size}, status_code=201)


async def ready(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/upload", upload, methods=["POST"]), Route("/readyz", ready)])
