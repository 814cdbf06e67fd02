"""Appointments at one-stop offices: slots, booking, and the views the doors show."""
