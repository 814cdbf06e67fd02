"""A generic JSON gateway: `{sessionId, msisdn, input, newSession}` in, the latest input only;
`{message, continue}` out. A gateway that retries may add `hopId`, repeated on the retry, so the
retry is answered without acting twice (without it, the same input twice is two key presses)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from channels.ussd.hops import INPUT_LIMIT, UssdReply, UssdRequest, keypad_text, session_key
from domain.errors import InvalidInput
from infra.json_input import JsonRefused, read_json


async def parse(request: Request) -> UssdRequest:
    try:
        body = read_json(await request.body())
    except JsonRefused as refused:
        detail = f"the body is not JSON we read ({refused.code})"
        raise InvalidInput("ussd_bad_request", detail, field=refused.fields[0]) from None
    if not isinstance(body, dict):
        raise InvalidInput("ussd_bad_request", "the body is not a JSON object")
    for name in ("sessionId", "msisdn"):
        if not body.get(name):
            raise InvalidInput("ussd_bad_request", f"{name} is required", field=name)
    new_session = body.get("newSession") is True
    given = keypad_text(str(body.get("input") or ""))
    if len(given) > INPUT_LIMIT:
        raise InvalidInput("ussd_bad_request", "input is too long", field="input")
    hop_id = body.get("hopId")
    return UssdRequest(
        session_id=session_key(str(body["sessionId"])),
        phone=str(body["msisdn"]),
        service_code=str(body.get("serviceCode") or ""),
        network=str(body.get("network") or ""),
        inputs=() if new_session else (given,),
        cumulative=False,
        new_session=new_session,
        hop_id=None if hop_id is None else keypad_text(str(hop_id))[:100],
    )


def render(reply: UssdReply) -> Response:
    return JSONResponse({"message": reply.text, "continue": not reply.end})
