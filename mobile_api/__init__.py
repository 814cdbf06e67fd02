"""The JSON door: Starlette app factory, routes, errors as problem+json."""
