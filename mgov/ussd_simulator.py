"""`mgov ussd`: a feature phone in the terminal, talking to a running server the way Africa's
Talking does (form POST, every input so far in `text`), one keypad line at a time from stdin."""

from __future__ import annotations

import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable

WIDTH = 28  # a feature phone's screen shows about this many characters a line
TIMEOUT = 15.0  # what a gateway waits for a reply


def _frame(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        while len(line) > WIDTH:
            cut = line.rfind(" ", 0, WIDTH + 1)
            cut = cut if cut > 0 else WIDTH
            lines.append(line[:cut])
            line = line[cut:].lstrip()
        lines.append(line)
    border = "+" + "-" * (WIDTH + 2) + "+"
    return "\n".join([border, *(f"| {line:<{WIDTH}} |" for line in lines), border])


def _post(url: str, fields: dict[str, str], secret: str) -> str:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if secret:
        headers["X-Gateway-Secret"] = secret
    data = urllib.parse.urlencode(fields).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return str(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        return f"END (HTTP {error.code}) {error.read().decode('utf-8', 'replace')[:120]}"


def run_simulator(
    *,
    base_url: str,
    phone: str,
    service_code: str,
    secret: str,
    keys: Iterable[str],
    out: Callable[[str], object] = print,
    echo: bool = False,
) -> int:
    """Dial, then send each keypad line until the server ends the session; 0 when it did."""
    url = base_url.rstrip("/") + "/channels/ussd/africastalking"
    session_id = f"SIM_{secrets.token_hex(6)}"
    inputs: list[str] = []
    keys = iter(keys)
    while True:
        fields = {
            "sessionId": session_id,
            "serviceCode": service_code,
            "phoneNumber": phone,
            "networkCode": "99999",
            "text": "*".join(inputs),
        }
        try:
            reply = _post(url, fields, secret)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            out(f"mgov ussd: cannot reach {url}: {error}")
            return 1
        status, _, screen = reply.partition(" ")
        out(_frame(screen))
        if status != "CON":
            return 0
        key = next(keys, None)
        if key is None:
            out("(no more input: the phone hangs up)")
            return 0
        key = key.strip()
        if echo:
            out(f"> {key}")
        inputs.append(key)
