"""The OpenAPI 3.1 document, built from the endpoint declarations and their pydantic models."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from mobile_api.endpoints import Endpoint
from mobile_api.paging import MAX_ID
from mobile_api.schemas.common import Problem

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
_CONVERTOR_SCHEMAS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    "uuid": {"type": "string", "format": "uuid"},
    "str": {"type": "string"},
}
_ERROR_TEXT = {
    400: "The request cannot be read",
    401: "Missing, expired or invalid access token",
    403: "Not allowed",
    404: "No such resource (or not the caller's)",
    409: "Conflicts with the current state",
    422: "A field is not valid; `errors` says which",
    429: "Too many attempts; see Retry-After",
}
_BEARER = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
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


def _problem(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _ERROR_TEXT.get(status, "Error"),
        "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
    }
    if status == 429:
        response["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


def _operation(
    endpoint: Endpoint, refs: dict[tuple[Any, str], Any], schemas: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    path, parameters = _path_parameters(endpoint.path)
    if endpoint.query is not None:
        parameters += _query_parameters(refs[(endpoint.query, "validation")], schemas)
    responses: dict[str, Any] = {}
    if endpoint.response is not None:
        success: dict[str, Any] = {
            "description": "OK",
            "content": {"application/json": {"schema": refs[(endpoint.response, "serialization")]}},
        }
        if endpoint.method == "GET":
            success["headers"] = _ETAG_HEADER
        responses[str(endpoint.status)] = success
    else:
        responses[str(endpoint.status)] = {"description": "Done"}
    if endpoint.method == "GET":
        parameters.append(
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
            }
        )
        responses["304"] = {"description": "Not modified since the ETag given"}
    statuses = {400, 404, 422, *endpoint.errors} | ({401} if endpoint.auth else set())
    responses |= {str(status): _problem(status) for status in sorted(statuses)}
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
    operation["security"] = [{"bearer": []}] if endpoint.auth else []
    return path, operation


def build_openapi(endpoints: Sequence[Endpoint]) -> dict[str, Any]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Problem, "serialization")]
    for endpoint in endpoints:
        if endpoint.body is not None:
            models.append((endpoint.body, "validation"))
        if endpoint.query is not None:
            models.append((endpoint.query, "validation"))
        if endpoint.response is not None:
            models.append((endpoint.response, "serialization"))
    refs, definitions = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    schemas = definitions.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        path, operation = _operation(endpoint, refs, schemas)
        paths.setdefault(path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mgov app API",
            "version": "1",
            "description": "The citizens' smartphone door. Errors are application/problem+json; "
            "Accept-Language picks Vietnamese (default) or English.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
