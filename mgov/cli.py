"""`mgov`: the operator's command. Each subcommand is one Procfile process or one chore."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Iterator
from typing import Any

from infra.settings import Settings, SettingsError, load_settings
from models.enums import StaffRole


def _migrate(settings: Settings, args: argparse.Namespace) -> None:
    from infra.database import migrate_database

    asyncio.run(migrate_database(settings))
    print("database is up to date")


def _seed(settings: Settings, args: argparse.Namespace) -> None:
    from infra.database import open_database
    from infra.document_store import FilesystemStore
    from mgov.demo import load_demo_data

    if settings.is_production:
        raise SettingsError("demo data (with demo passwords) is refused when MGOV_ENV=production")

    async def run() -> None:
        async with open_database(settings):
            await load_demo_data(out=print, store=FilesystemStore(settings.document_dir))

    asyncio.run(run())


def _web(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    from infra.metrics import share_metrics_between_processes

    if args.workers > 1:
        share_metrics_between_processes(var_dir=settings.var_dir)
    host = args.host or ("0.0.0.0" if settings.is_production else "127.0.0.1")
    uvicorn.run(
        "mgov.asgi:app",
        host=host,
        port=args.port or settings.port,
        workers=args.workers,
        # Forwarding headers are read by mobile_api/forwarded.py, from MGOV_TRUSTED_PROXIES
        # only; uvicorn's own reading trusts 127.0.0.1, so a local caller could pick its address.
        proxy_headers=False,
        # Our handlers only, and no request lines: paths and queries carry push tokens, the
        # gateway secret and phone numbers. /metrics counts requests by route template instead.
        log_config=None,
        access_log=False,
        log_level=settings.log_level.lower(),
    )


def _worker(settings: Settings, args: argparse.Namespace) -> None:
    from mgov.worker_process import run_worker

    asyncio.run(run_worker(settings))


def _outbox(settings: Settings, args: argparse.Namespace) -> None:
    from infra.database import open_database
    from mgov.worker_process import outbox_report

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


def _read_password(args: argparse.Namespace) -> str:
    """From MGOV_STAFF_PASSWORD, from piped standard input, or typed at a prompt (twice)."""
    import getpass
    import os

    if os.environ.get("MGOV_STAFF_PASSWORD"):
        return os.environ["MGOV_STAFF_PASSWORD"]
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise SystemExit("mgov: the passwords differ")
    return first


def _createstaff(settings: Settings, args: argparse.Namespace) -> None:
    from domain.catalogue import text
    from domain.errors import DomainError
    from domain.staff.accounts import create_staff_user, find_agency
    from infra.database import open_database

    password = _read_password(args)

    async def run() -> None:
        async with open_database(settings):
            agency = await find_agency(code=args.agency) if args.agency else None
            user = await create_staff_user(
                username=args.username,
                password=password,
                full_name=args.name or args.username,
                role=StaffRole(args.role),
                agency=agency,
            )
            print(f"staff account {user.username} ({user.role}) created")

    try:
        asyncio.run(run())
    except DomainError as exc:
        raise SystemExit(f"mgov: {text(f'error.{exc.code}', 'en', **exc.params)}") from None


def _ussd(settings: Settings, args: argparse.Namespace) -> None:
    from mgov.ussd_simulator import run_simulator

    interactive = sys.stdin.isatty()

    def typed() -> Iterator[str]:
        while True:
            try:
                yield input("> ")
            except EOFError:
                return

    if interactive:
        print("Type a choice and Enter (Ctrl-D hangs up).")
    code = run_simulator(
        base_url=args.url or f"http://127.0.0.1:{settings.port}",
        phone=args.phone,
        service_code=args.service_code,
        secret=str(settings.gateway_secret),
        keys=typed() if interactive else sys.stdin,
        echo=not interactive,
    )
    if code:
        raise SystemExit(code)


COMMANDS: dict[str, tuple[str, Callable[[Settings, argparse.Namespace], Any]]] = {
    "migrate": ("apply the checked-in database migrations", _migrate),
    "seed": ("load the Ho Chi Minh City demo data set (once)", _seed),
    "web": ("serve the HTTP API with uvicorn", _web),
    "worker": ("send queued messages (outbox dispatcher)", _worker),
    "outbox": ("print outbox counts by status and the oldest due message's wait", _outbox),
    "sms": ("text a running server as a citizen and print the reply (development)", _sms),
    "createstaff": (
        "create a staff account (password: MGOV_STAFF_PASSWORD, stdin or prompt)",
        _createstaff,
    ),
    "ussd": ("a feature phone in the terminal: dial the USSD menus of a running server", _ussd),
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
        if name == "createstaff":
            command.add_argument("username")
            command.add_argument("--role", required=True, choices=[r.value for r in StaffRole])
            command.add_argument("--agency", default=None, help="agency code, e.g. H29.99")
            command.add_argument("--name", default="", help="full name")
        if name == "ussd":
            command.add_argument("--url", default=None, help="server base URL")
            command.add_argument("--phone", default="+84901234567", help="the caller's number")
            command.add_argument("--service-code", default="*384*1234#")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"mgov: configuration error: {exc}", file=sys.stderr)
        return 2
    from infra.logs import configure_logging

    configure_logging(settings.log_level)
    try:
        COMMANDS[args.command][1](settings, args)
    except SettingsError as exc:
        print(f"mgov: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
