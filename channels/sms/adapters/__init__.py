"""One adapter per gateway format, each a module with `parse_inbound` and `parse_delivery`."""

from __future__ import annotations

from types import ModuleType

from channels.sms.adapters import africastalking, generic
from domain.errors import NotFound

ADAPTERS: dict[str, ModuleType] = {"africastalking": africastalking, "generic": generic}


def adapter_named(name: str) -> ModuleType:
    adapter = ADAPTERS.get(name)
    if adapter is None:
        raise NotFound("sms_adapter_unknown", f"no SMS adapter {name!r}", adapter=name[:32])
    return adapter
