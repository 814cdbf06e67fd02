"""Proving who is calling: citizens' one-time codes and app tokens, staff tokens."""
