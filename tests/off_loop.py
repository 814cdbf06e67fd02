"""What runs on the event loop's thread: for work that must not hold the loop (argon2)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


@contextmanager
def calls_on_this_thread(package: str) -> Iterator[list[str]]:
    """The functions of `package` called on this thread while inside; `sys.setprofile` watches
    only the thread that sets it, so work handed to another thread is not seen."""
    calls: list[str] = []

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        module = str(frame.f_globals.get("__name__", ""))
        if event == "call" and (module == package or module.startswith(f"{package}.")):
            calls.append(f"{module}.{frame.f_code.co_name}")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield calls
    finally:
        sys.setprofile(previous)
