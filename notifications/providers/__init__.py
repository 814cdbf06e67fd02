"""Providers: one client per gateway or push service, all behind `providers.base.Provider`."""
