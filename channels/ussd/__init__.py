"""The USSD door: gateway adapters, the menu table, and the hop-by-hop dialogue."""
