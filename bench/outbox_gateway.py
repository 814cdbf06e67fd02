"""The fake SMS gateway of `bench/outbox.py`, in a process of its own so that its CPU does not
share the event loop being measured: it answers POST /sms (after `latency` seconds), and counts
sends and distinct references (GET /stats, POST /reset) so that every run is checked."""

from __future__ import annotations

import asyncio
import multiprocessing
from multiprocessing.connection import Connection

from aiohttp import web


async def _gateway_main(conn: Connection, latency: float) -> None:
    sends = 0
    references: set[str] = set()

    async def send(request: web.Request) -> web.Response:
        nonlocal sends
        payload = await request.json()
        sends += 1
        references.add(payload["reference"])
        if latency:
            await asyncio.sleep(latency)
        return web.json_response({"id": f"gw-{sends}", "status": "accepted"})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response({"sends": sends, "distinct": len(references)})

    async def reset(request: web.Request) -> web.Response:
        nonlocal sends
        sends = 0
        references.clear()
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/sms", send)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    conn.send(runner.addresses[0][1])
    await asyncio.Event().wait()  # until the parent terminates this process


def _serve_gateway(conn: Connection, latency: float) -> None:
    try:
        import uvloop  # the gateway should be the fastest part of the system under test

        uvloop.run(_gateway_main(conn, latency))
    except ImportError:
        asyncio.run(_gateway_main(conn, latency))


def start_gateway(latency: float) -> tuple[multiprocessing.process.BaseProcess, str]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_serve_gateway, args=(child, latency), daemon=True)
    process.start()
    if not parent.poll(30):
        process.terminate()
        raise RuntimeError("the fake gateway did not start within 30 s")
    return process, f"http://127.0.0.1:{parent.recv()}"
