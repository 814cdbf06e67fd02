"""The pages' own stylesheets and scripts (console, dashboard, docs), served by the app: the
Content-Security-Policy (mobile_api/security_headers.py) lets a page load nothing else, nothing
inline and nothing from another site, so the pages also work offline."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from domain.errors import NotFound

STATIC = Path(__file__).parent / "static"
_MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


async def asset(request: Request) -> Response:
    path = STATIC / request.path_params["name"]  # `{name}` holds no slash
    media_type = _MEDIA_TYPES.get(path.suffix)
    if media_type is None or not path.is_file():
        raise NotFound("not_found", "no such asset")
    return FileResponse(path, media_type=media_type)


routes = [Route("/static/{name}", asset, methods=["GET"])]
