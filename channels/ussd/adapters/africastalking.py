"""Africa's Talking: a form POST per hop, `text` holding every input so far joined by `*`;
the answer is plain text starting `CON ` (wait for input) or `END ` (close)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from channels.ussd.hops import INPUT_LIMIT, UssdReply, UssdRequest, keypad_text, session_key
from domain.errors import InvalidInput


async def parse(request: Request) -> UssdRequest:
    # Their callbacks are always url-encoded: the standard library reads them, no multipart parser.
    try:
        form = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        raise InvalidInput("ussd_bad_request", "the body is not UTF-8") from None
    fields = {name: form.get(name, "") for name in ("sessionId", "phoneNumber", "text")}
    for name in ("sessionId", "phoneNumber"):
        if not fields[name]:
            raise InvalidInput("ussd_bad_request", f"{name} is required", field=name)
    text = keypad_text(fields["text"])
    if len(text) > INPUT_LIMIT:
        raise InvalidInput("ussd_bad_request", "text is too long", field="text")
    return UssdRequest(
        session_id=session_key(fields["sessionId"]),
        phone=fields["phoneNumber"],
        service_code=form.get("serviceCode", ""),
        network=form.get("networkCode", ""),
        inputs=tuple(text.split("*")) if text else (),
        cumulative=True,
        new_session=not text,
    )


def render(reply: UssdReply) -> Response:
    return PlainTextResponse(reply.wire_text)
