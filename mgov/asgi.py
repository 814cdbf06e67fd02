"""The ASGI entry point uvicorn imports: settings come from the environment of the process."""

from __future__ import annotations

from infra.logs import configure_logging
from infra.settings import load_settings
from mgov.web import create_app

settings = load_settings()
configure_logging(settings.log_level)
app = create_app(settings)
