"""The SMS door: gateway adapters, the keyword grammar and the handlers behind each keyword."""
