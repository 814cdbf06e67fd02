"""What a real `mgov web` process writes to its log: no gateway secret, push token or phone
number, even at INFO, where uvicorn would print every request line."""

from __future__ import annotations

import httpx

from tests.web_process import running_web

GATEWAY_SECRET = "gw-secret-must-not-be-logged-8642"
PUSH_TOKEN = "fcm-token-must-not-be-logged-97531"


def test_request_lines_leak_no_secret_token_or_number(db, tmp_path):
    with running_web(db, tmp_path, log_level="INFO", MGOV_GATEWAY_SECRET=GATEWAY_SECRET) as (
        base,
        log_path,
    ):
        hop = httpx.post(
            f"{base}/channels/ussd/africastalking?secret={GATEWAY_SECRET}",
            data={"sessionId": "log-1", "phoneNumber": "+84901234567", "text": ""},
        )
        assert hop.status_code == 200 and hop.text.startswith("CON ")
        gone = httpx.delete(f"{base}/v1/devices/{PUSH_TOKEN}")
        assert gone.status_code == 401
    log = log_path.read_text()
    assert "Application startup complete" in log  # INFO lines are written at all
    for secret in (GATEWAY_SECRET, PUSH_TOKEN, "+84901234567", "0901234567"):
        assert secret not in log
