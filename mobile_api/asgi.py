"""The ASGI entry point uvicorn imports: settings come from the environment of the process."""

from __future__ import annotations

from mgov.logs import configure_logging
from mgov.settings import load_settings
from mobile_api.app import create_app

settings = load_settings()
configure_logging(settings.log_level)
app = create_app(settings)
