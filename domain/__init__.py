"""The service-request flow every door shares. Imports no Starlette, no channel, no provider."""
