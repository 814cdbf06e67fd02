"""The OpenAPI 3.1 document, built from the endpoint declarations and their pydantic models."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from mobile_api.access import PUBLIC, SIGNATURE_HEADER, SIGNED, TIMESTAMP_HEADER
from mobile_api.endpoints import Endpoint
from mobile_api.paging import MAX_PATH_ID
from mobile_api.schemas.common import Problem, ValidationProblem

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
_CONVERTOR_SCHEMAS: dict[str, dict[str, Any]] = {
    "row_id": {"type": "integer", "minimum": 0, "maximum": MAX_PATH_ID},
    "uuid": {"type": "string", "format": "uuid"},
    "str": {"type": "string"},
}
_ERROR_TEXT = {
    400: "The request cannot be read",
    401: "Missing, expired or invalid access token",
    403: "Not allowed",
    404: "No such resource (or not the caller's)",
    409: "Conflicts with the current state",
    413: "Body over the size limit (64 KiB unless MGOV_BODY_LIMIT_API says otherwise)",
    422: "A field is not valid; `errors` says which",
    429: "Too many attempts; see Retry-After",
    503: "Not configured on this server",
}
_SIGNED_401 = "Signature missing or wrong, or timestamp outside 5 minutes"
_SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A citizen's access token from POST /v1/auth/token",
    },
    "staffBearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A staff token from POST /v1/staff/auth/login; an operation lists the "
        "roles that may call it (agent, officer, supervisor, admin)",
    },
    "backofficeSignature": {
        "type": "apiKey",
        "in": "header",
        "name": SIGNATURE_HEADER,
        "description": "`sha256=` + hex HMAC-SHA256 with the shared back-office secret over "
        f"`<{TIMESTAMP_HEADER}>.<raw body bytes>`",
    },
}
_TIMESTAMP = {
    "name": TIMESTAMP_HEADER,
    "in": "header",
    "required": True,
    "description": "Sending time in Unix seconds; refused more than 5 minutes from the server's",
    "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
}
_ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "Send as If-None-Match"}}


def _path_parameters(path: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": _CONVERTOR_SCHEMAS[convertor or "str"],
        }
        for name, convertor in _PARAM.findall(path)
    ]
    return _PARAM.sub(r"{\1}", path), parameters


def _query_parameters(ref: dict[str, Any], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    schema = schemas[ref["$ref"].rsplit("/", 1)[-1]]
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": field}
        for name, field in schema["properties"].items()
    ]


def _problem(status: int, endpoint: Endpoint) -> dict[str, Any]:
    description = _SIGNED_401 if endpoint.auth == SIGNED and status == 401 else None
    model = ValidationProblem if status == 422 else Problem
    response: dict[str, Any] = {
        "description": description or _ERROR_TEXT.get(status, "Error"),
        "content": {
            "application/problem+json": {"schema": {"$ref": REF.format(model=model.__name__)}}
        },
    }
    if status == 429:
        response["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


_MULTIPART = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}},
        }
    }
}


def _operation(
    endpoint: Endpoint, refs: dict[tuple[Any, JsonSchemaMode], Any], schemas: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    path, parameters = _path_parameters(endpoint.path)
    if endpoint.query is not None:
        parameters += _query_parameters(refs[(endpoint.query, "validation")], schemas)
    if endpoint.auth == SIGNED:
        parameters.append(_TIMESTAMP)
    for name, description in endpoint.headers.items():
        parameters.append(
            {
                "name": name,
                "in": "header",
                "required": True,
                "description": description,
                "schema": {"type": "string", "maxLength": 64},
            }
        )
    responses: dict[str, Any] = {}
    for status in (endpoint.status, *endpoint.also):
        if endpoint.file:
            responses[str(status)] = {
                "description": "The file as it was uploaded, its type proven by its content",
                "content": {kind: {} for kind in ("application/pdf", "image/jpeg", "image/png")},
                "headers": {
                    "Content-Disposition": {"schema": {"type": "string"}},
                    "Cache-Control": {"schema": {"const": "no-store"}},
                },
            }
        elif endpoint.response is not None:
            schema = refs[(endpoint.response, "serialization")]
            success: dict[str, Any] = {
                "description": "OK",
                "content": {"application/json": {"schema": schema}},
            }
            if endpoint.method == "GET":
                success["headers"] = _ETAG_HEADER
            if endpoint.no_store:
                success["headers"] = {"Cache-Control": {"schema": {"const": "no-store"}}}
            responses[str(status)] = success
        else:
            responses[str(status)] = {"description": "Done"}
    if endpoint.method == "GET" and not endpoint.file:
        parameters.append(
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
            }
        )
        responses["304"] = {"description": "Not modified since the ETag given"}
    statuses = {400, 404, 422, *endpoint.errors}
    statuses |= {413} if endpoint.body or endpoint.upload else set()
    statuses |= {401} if endpoint.auth != PUBLIC else set()
    statuses |= {403} if endpoint.auth.permission else set()
    responses |= {str(status): _problem(status, endpoint) for status in sorted(statuses)}
    operation: dict[str, Any] = {
        "operationId": endpoint.handler.__name__,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(endpoint.body, "validation")]}},
        }
    if endpoint.upload:
        operation["requestBody"] = {"required": True, "content": _MULTIPART}
    scheme = endpoint.auth.scheme
    operation["security"] = [{scheme: endpoint.auth.roles}] if scheme else []
    if endpoint.auth.roles:
        operation["description"] = "Roles: " + ", ".join(endpoint.auth.roles) + "."
    return path, operation


def build_openapi(endpoints: Sequence[Endpoint]) -> dict[str, Any]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (Problem, "serialization"),
        (ValidationProblem, "serialization"),
    ]
    for endpoint in endpoints:
        if endpoint.body is not None:
            models.append((endpoint.body, "validation"))
        if endpoint.query is not None:
            models.append((endpoint.query, "validation"))
        if endpoint.response is not None:
            models.append((endpoint.response, "serialization"))
    refs, definitions = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    schemas = definitions.get("$defs", {})
    names = [endpoint.handler.__name__ for endpoint in endpoints]
    if len(set(names)) != len(names):
        raise ValueError("two endpoints share a handler name (the operationId)")
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        path, operation = _operation(endpoint, refs, schemas)
        paths.setdefault(path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mgov API",
            "version": "1",
            "description": "The citizens' smartphone door, the staff API (call centre, counters, "
            "admins) with its statistics, and the back-office webhook. Errors are "
            "application/problem+json; Accept-Language picks Vietnamese (default) or English.",
        },
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": _SECURITY_SCHEMES},
    }
