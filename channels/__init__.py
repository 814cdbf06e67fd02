"""The feature-phone doors: USSD menus and SMS keywords, one adapter per gateway format."""
