"""smsbus health-monitor."""
