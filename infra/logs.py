"""Logging for every process: one line per record, request ids attached, phone numbers masked.

The masking filter is the last line of defence: code logs ids and masked numbers on purpose,
and anything that still looks like a phone number is masked before it is written.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

# A run of digits, perhaps with + and spaces or dots, as callers and gateways write numbers.
_CANDIDATE = re.compile(r"(?<![\w-])\+?\d[\d .]{7,16}\d(?![\w-])")
_NON_DIGIT = re.compile(r"\D")


def _mask(match: re.Match[str]) -> str:
    written = match.group(0)
    digits = _NON_DIGIT.sub("", written)
    international = written.startswith("+") or digits.startswith("84")
    if not 9 <= len(digits) <= 12 or not (international or digits.startswith("0")):
        return written
    keep = 4 if international else 3
    return f"{'+' if written.startswith('+') else ''}{digits[:keep]}****{digits[-3:]}"


def mask_phones(text: str) -> str:
    """`+84901234567` → `+8490****567`; dossier codes and short ids pass untouched."""
    return _CANDIDATE.sub(_mask, text)


_TRACEBACKS = logging.Formatter()


class MaskingFilter(logging.Filter):
    """Masks the message, the exception text and the stack a record carries; adds the request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        message = record.getMessage()
        masked = mask_phones(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_phones(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_phones(record.stack_info)
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(MaskingFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    # The format shows neither the caller nor the thread or process, so records skip finding
    # them (the logging HOWTO's "Optimization"): the worker logs a line for every send.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Tortoise announces every start and stop at INFO; operators need its warnings only.
    logging.getLogger("tortoise").setLevel(max(logging.WARNING, root.level))
    # Its DEBUG lines carry SQL parameters: message bodies with login codes.
    logging.getLogger("aiosqlite").setLevel(max(logging.WARNING, root.level))
