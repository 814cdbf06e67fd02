"""Where the SMS doors keep what a gateway handed over while the database is away.

One file per record, `<arrival ns>-<pid>-<seq>.json`: written under a hidden temporary name,
fsynced, renamed into place and the directory fsynced, so a record is either whole on disk or
absent, and only then is the gateway told 200. Any number of web processes may write into one
directory at once (names never collide), and any of them replays it: one at a time, under an
exclusive `flock` on `.replay.lock` (released by the kernel if the process dies), in name order,
which is arrival order. A record is removed once the database took it; one the database refuses
for another reason than an outage goes to `failed/` with its traceback in the log, so it cannot
hold the others back. Replaying a record twice (a crash between applying and removing it) is
harmless: inbound messages are keyed by the gateway's id, delivery reports never move back.
"""

from __future__ import annotations

import asyncio
import fcntl
import itertools
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from infra.outages import is_database_unavailable, note_database_outage

logger = logging.getLogger("mgov.sms")

Record = dict[str, Any]
Apply = Callable[[Record], Awaitable[None]]
SUFFIX = ".json"
FAILED = "failed"
LOCK = ".replay.lock"


class SmsSpool:
    """An append-only directory of records, replayed into the database once it answers."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sequence = itertools.count()
        self._last_stamp = 0
        # Set when a replay round leaves nothing behind, cleared by every append.
        self.emptied = asyncio.Event()

    def pending(self) -> bool:
        """Whether records wait: a new message then queues behind them, keeping arrival order."""
        try:
            with os.scandir(self.directory) as entries:
                return any(entry.name.endswith(SUFFIX) for entry in entries)
        except OSError:
            return False

    async def append(self, record: Record) -> None:
        """Durable before it returns (the caller acknowledges the gateway next); raises OSError
        when the disk cannot take it."""
        self.emptied.clear()
        stamp = max(time.time_ns(), self._last_stamp + 1)
        self._last_stamp = stamp
        name = f"{stamp:020d}-{os.getpid()}-{next(self._sequence):08d}"
        data = json.dumps(record, ensure_ascii=False).encode("utf-8")
        await asyncio.to_thread(self._write, name, data)

    def _write(self, name: str, data: bytes) -> None:
        if not self.directory.is_dir():
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            _fsync_directory(self.directory.parent)
        temporary = self.directory / f".{name}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.rename(temporary, self.directory / f"{name}{SUFFIX}")
        _fsync_directory(self.directory)

    async def replay(self, apply: Apply) -> int:
        """Apply every record in arrival order and remove it; stops (raising) at the first one
        the database cannot take now, so none overtakes another. 0 when another process holds
        the replay lock: it is replaying the same directory."""
        lock = _try_lock(self.directory / LOCK)
        if lock is None:
            return 0
        applied = 0
        try:
            while names := self._names():
                for name in names:
                    applied += await self._replay_one(self.directory / name, apply)
        finally:
            os.close(lock)
        self.emptied.set()
        return applied

    def _names(self) -> list[str]:
        return sorted(path.name for path in self.directory.glob(f"*{SUFFIX}"))

    async def _replay_one(self, path: Path, apply: Apply) -> int:
        try:
            record = json.loads(path.read_bytes())
        except FileNotFoundError:
            return 0
        except ValueError:
            logger.error("spooled record %s is not JSON: moved to %s/", path.name, FAILED)
            self._set_aside(path)
            return 0
        try:
            await apply(record)
        except Exception as exc:
            if is_database_unavailable(exc):
                raise
            logger.exception("spooled record %s refused: moved to %s/", path.name, FAILED)
            self._set_aside(path)
            return 0
        path.unlink(missing_ok=True)
        return 1

    def _set_aside(self, path: Path) -> None:
        failed = self.directory / FAILED
        failed.mkdir(mode=0o700, exist_ok=True)
        path.rename(failed / path.name)

    async def run(self, apply: Apply, stop: asyncio.Event, *, interval: float = 1.0) -> None:
        """Replay whatever waits (left by an earlier process too), then look again every
        `interval` seconds: the spool empties within that long of the database coming back."""
        while not stop.is_set():
            if self.pending():
                try:
                    applied = await self.replay(apply)
                except Exception as exc:
                    if is_database_unavailable(exc):
                        note_database_outage(exc, where="SMS spool replay")
                    else:
                        logger.exception("SMS spool replay failed")
                else:
                    if applied:
                        logger.info("replayed %d spooled SMS records", applied)
            else:
                self.emptied.set()
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass


def _try_lock(path: Path) -> int | None:
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor


def _fsync_directory(directory: Path) -> None:
    """The rename itself must survive a power cut, not only the file's bytes."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
