"""One module per gateway format, each with `parse(request) -> UssdRequest` and
`render(reply) -> Response`."""

from __future__ import annotations

from types import ModuleType

from channels.ussd.adapters import africastalking, generic

ADAPTERS: dict[str, ModuleType] = {"africastalking": africastalking, "generic": generic}
