"""mgov: one service-request flow behind every door (app, USSD, SMS, call centre)."""
