"""`mgov`: the operator's command. Each subcommand is one Procfile process or one chore."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any

from mgov.settings import Settings, SettingsError, load_settings


def _migrate(settings: Settings, args: argparse.Namespace) -> None:
    from mgov.database import migrate_database

    asyncio.run(migrate_database(settings))
    print("database is up to date")


def _seed(settings: Settings, args: argparse.Namespace) -> None:
    from mgov.database import open_database
    from mgov.demo import load_demo_data

    if settings.is_production:
        raise SettingsError("demo data (with demo passwords) is refused when MGOV_ENV=production")

    async def run() -> None:
        async with open_database(settings):
            await load_demo_data(out=print)

    asyncio.run(run())


def _web(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    host = args.host or ("0.0.0.0" if settings.is_production else "127.0.0.1")
    uvicorn.run(
        "mobile_api.asgi:app",
        host=host,
        port=args.port or settings.port,
        workers=args.workers,
        proxy_headers=True,
        # Our handlers only: access lines carry paths, and paths may carry a phone number.
        log_config=None,
        log_level=settings.log_level.lower(),
    )


def _worker(settings: Settings, args: argparse.Namespace) -> None:
    from notifications.runner import run_worker

    asyncio.run(run_worker(settings))


def _outbox(settings: Settings, args: argparse.Namespace) -> None:
    from mgov.database import open_database
    from notifications.runner import outbox_report

    async def run() -> None:
        async with open_database(settings):
            for line in await outbox_report():
                print(line)

    asyncio.run(run())


def _sms(settings: Settings, args: argparse.Namespace) -> None:
    from mgov.sms_console import ConsoleError, show_exchange, text_and_wait

    try:
        reply = asyncio.run(
            text_and_wait(
                base_url=args.url or f"http://127.0.0.1:{settings.port}",
                phone=args.phone,
                text=args.text,
                secret=str(settings.gateway_secret),
                timeout=args.timeout,
            )
        )
    except ConsoleError as exc:
        print(f"mgov sms: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    show_exchange(args.text, reply, print)


COMMANDS: dict[str, tuple[str, Callable[[Settings, argparse.Namespace], Any]]] = {
    "migrate": ("apply the checked-in database migrations", _migrate),
    "seed": ("load the Ho Chi Minh City demo data set (once)", _seed),
    "web": ("serve the HTTP API with uvicorn", _web),
    "worker": ("send queued messages (outbox dispatcher)", _worker),
    "outbox": ("print outbox counts by status and the oldest queued age", _outbox),
    "sms": ("text a running server as a citizen and print the reply (development)", _sms),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mgov", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if name == "web":
            command.add_argument("--host", default=None)
            command.add_argument("--port", type=int, default=None)
            command.add_argument("--workers", type=int, default=1)
        if name == "sms":
            command.add_argument("phone", help="the citizen's number, e.g. 0901234567")
            command.add_argument("text", help='the message, e.g. "HS H29.99-261005-0001"')
            command.add_argument("--url", default=None, help="default http://127.0.0.1:$PORT")
            command.add_argument("--timeout", type=float, default=20.0)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"mgov: configuration error: {exc}", file=sys.stderr)
        return 2
    from mgov.logs import configure_logging

    configure_logging(settings.log_level)
    try:
        COMMANDS[args.command][1](settings, args)
    except SettingsError as exc:
        print(f"mgov: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
