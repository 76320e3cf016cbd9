"""The smsbus command."""
