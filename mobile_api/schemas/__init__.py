"""Pydantic models of the app API: they validate requests, shape responses, and make the
OpenAPI document."""
